/* SPDX-License-Identifier: MIT */
/* Numbered SQL migrations, embedded at build time from src/store/migrations/
 * by scripts/embed-migrations.sh. Each backend applies, in order, those above
 * its recorded schema version. The SQL is written for SQLite; backends with a
 * different dialect keep their own set. */
#ifndef PARTA_STORE_MIGRATIONS_H
#define PARTA_STORE_MIGRATIONS_H

struct migration {
	int version;
	const char *name;
	const char *sql;
};

extern const struct migration migrations[];
extern const int migrations_count;

#endif
