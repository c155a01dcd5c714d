/* SPDX-License-Identifier: MIT */
/*
 * engine_internal.h - what the engine's files share: engine.c (the jobs,
 * cancelling, the poll mode), engine_conns.c (the HTTP/2 connections
 * whose streams jobs are, and the pools' watches) and engine_events.c
 * (the socket mode).
 */
#ifndef HTTPR_ENGINE_INTERNAL_H
#define HTTPR_ENGINE_INTERNAL_H

#include "api/engine.h"
#include "common/fd_release.h"

/* Takes j (ended) off the engine and hands it to done. */
void hr_engine_finish(struct hr_engine *e, struct hr_job *j);

/* Runs the cancels asked for while a step ran. */
void hr_engine_run_cancels(struct hr_engine *e);

/* Steps j as the current job (engine_conns.c follows its connection). */
void hr_engine_step_job(struct hr_engine *e, struct hr_job *j,
                        const struct pollfd *ready, size_t n, int64_t now);

/* ---- engine_conns.c ---- */

/* After j moved: attaches it to the entry of the HTTP/2 connection its
 * stream is on, or detaches it from the one it left. */
void hr_engine_track(struct hr_engine *e, struct hr_job *j);
/* Frees the entries no job uses any more (socket mode: unwatched). */
void hr_engine_sweep_conns(struct hr_engine *e);
/* Turns c for the engine's owner with what poll reported, then steps
 * every job of c. */
void hr_engine_turn_conn(struct hr_engine *e, struct hr_engine_conn *c,
                         const struct pollfd *ready, size_t n, int64_t now);

/* Watches the pool of every job waiting for one, and only those.
 * Returns 1 when a watch began (its jobs must look at the pool again:
 * it may have changed before). */
int hr_engine_update_watches(struct hr_engine *e);
/* 1 when the engine watches pool. */
int hr_engine_watching(const struct hr_engine *e, const struct hr_pool *pool);
/* Reads the eventfd empty. */
void hr_engine_drain(struct hr_engine *e);

/* ---- engine_events.c (socket mode) ---- */

/* j's descriptors and time as the caller's loop should now watch them
 * (j done: due at once); and j, or an entry, forgotten by that loop. */
void hr_engine_sync(struct hr_engine *e, struct hr_job *j);
void hr_engine_sync_conn(struct hr_engine *e, struct hr_engine_conn *c);
void hr_engine_forget(struct hr_engine *e, struct hr_engine_item *item);
/* Tells the caller when to act on the timer, if that changed. */
void hr_engine_tell_timer(struct hr_engine *e);

/* Makes the engine (in socket mode; else nobody) the thread's listener of
 * hr_fd_release, in l; returns the listener before, to put back with
 * hr_fd_listen. */
struct hr_fd_listener *hr_engine_listen(struct hr_engine *e,
                                        struct hr_fd_listener *l);

#endif
