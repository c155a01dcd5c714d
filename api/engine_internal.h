/* SPDX-License-Identifier: MIT */
/*
 * engine_internal.h - what the engine's two files share: engine.c (the
 * jobs, the pools' watches, cancelling, the poll mode) and
 * engine_events.c (the socket mode).
 */
#ifndef HTTPR_ENGINE_INTERNAL_H
#define HTTPR_ENGINE_INTERNAL_H

#include "api/engine.h"
#include "common/fd_release.h"

/* Takes j (ended) off the engine and hands it to done. */
void hr_engine_finish(struct hr_engine *e, struct hr_job *j);

/* Runs the cancels asked for while a step ran. */
void hr_engine_run_cancels(struct hr_engine *e);

/* Watches the pool of every job waiting for one, and only those.
 * Returns 1 when a watch began (its jobs must look at the pool again:
 * it may have changed before). */
int hr_engine_update_watches(struct hr_engine *e);

/* 1 when the engine watches pool. */
int hr_engine_watching(const struct hr_engine *e, const struct hr_pool *pool);

/* Reads the eventfd empty. */
void hr_engine_drain(struct hr_engine *e);

/* Socket mode (engine_events.c): j's descriptors and time as the caller's
 * loop should now watch them; and j forgotten by that loop. */
void hr_engine_sync(struct hr_engine *e, struct hr_job *j);
void hr_engine_forget(struct hr_engine *e, struct hr_job *j);

/* Makes the engine (in socket mode; else nobody) the thread's listener of
 * hr_fd_release, in l; returns the listener before, to put back with
 * hr_fd_listen. */
struct hr_fd_listener *hr_engine_listen(struct hr_engine *e,
                                        struct hr_fd_listener *l);

#endif
