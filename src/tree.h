/*
 * tree.h: remove a directory tree with fixed memory.
 *
 * tree_remove walks depth-first keeping only one path buffer and one
 * directory listing: it descends into the first subdirectory it finds and
 * starts that directory's listing afresh after each removal, so memory
 * does not grow with the depth or the size of the tree. Symlinks are
 * removed, never followed.
 */
#ifndef TREE_H
#define TREE_H

/*
 * Remove name below the directory handle dir, whatever its type, with
 * everything inside. Absent is fine (ERR_OK). Errors name the path.
 */
int tree_remove(int dir, const char *name);

#endif /* TREE_H */
