/*
 * Copies of units.path kept outside the units table (an appeal's handler
 * unit path, an answer's unit path ...), so that subtree tests are a prefix
 * test on the row itself. A unit move rewrites every copy in the same
 * transaction (units_store_update). Each domain declares its own copies in a
 * table next to its SQL (its store.c), ended by {NULL}, and src/app.c lists
 * that table in sq_unit_path_tables next to the domain's other tables: the
 * units domain names no other domain's columns.
 *
 * tests/unit/test_unit_move.c fails when the schema holds a *_path column
 * no table declares.
 */
#ifndef SQ_UNITS_PATHS_H
#define SQ_UNITS_PATHS_H

struct sq_unit_path_copy {
    const char *table;    /* the table holding the copy */
    const char *path_col; /* the column with the copied path */
    const char *id_col;   /* the column with the id of the unit whose path it is */
};

/* Every domain's table, NULL-ended (src/app.c). Names are fixed SQL
 * identifiers: the move assembles its UPDATE from them. */
extern const struct sq_unit_path_copy *const sq_unit_path_tables[];

#endif
