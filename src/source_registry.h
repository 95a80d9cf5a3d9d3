/*
 * source_registry.h: a registry (registry.h) behind the source interface.
 *
 *     registry_init(&r, ref, opts);
 *     source_registry(&src, &r);      src reads from r; r stays the caller's
 *     ... resolve and pull through src ...
 *     registry_close(&r);
 */
#ifndef SOURCE_REGISTRY_H
#define SOURCE_REGISTRY_H

#include "registry.h"
#include "source.h"

/* Make s read from r (prepared with registry_init). */
void source_registry(struct source *s, struct registry *r);

#endif /* SOURCE_REGISTRY_H */
