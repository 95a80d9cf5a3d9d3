/*
 * tree.h: remove a directory tree with fixed memory.
 *
 * tree_remove walks depth-first keeping only one path buffer and one
 * directory listing: it descends into the first subdirectory it finds and
 * starts that directory's listing afresh after each removal, so memory
 * does not grow with the depth or the size of the tree. Every path is
 * opened one component at a time from the caller's handle, so a symlink
 * is removed, never followed, wherever it is (also in name itself, or
 * planted in a directory while the walk goes on). The walk stays on the
 * file system of the handle: a mount point is an error, never emptied.
 */
#ifndef TREE_H
#define TREE_H

/*
 * Remove name (a relative path) below the directory handle dir, whatever
 * its type, with everything inside. Absent is fine (ERR_OK). Returns
 * ERR_OK, ERR_EXIST when name or a directory inside it is another file
 * system's, or the port's error; errors name the path.
 */
int tree_remove(int dir, const char *name);

#endif /* TREE_H */
