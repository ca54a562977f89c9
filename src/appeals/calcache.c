/*
 * calcache: one in-memory copy of the working calendar for every thread.
 * Intake and the scheduler compute deadlines under a read lock; a change to
 * the calendar (holidays, working hours) bumps a generation and the next
 * reader reloads it from the database.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "appeals/appeals.h"
#include "core/db.h"
#include "core/log.h"

static pthread_rwlock_t cal_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct sq_workcal cal;
static int cal_loaded_gen;
static atomic_int cal_gen = 1;

const struct sq_workcal *appeals_calendar_acquire(void)
{
    pthread_rwlock_rdlock(&cal_lock);
    if (cal_loaded_gen == atomic_load(&cal_gen))
        return &cal;
    pthread_rwlock_unlock(&cal_lock);
    pthread_rwlock_wrlock(&cal_lock);
    int gen = atomic_load(&cal_gen);
    if (cal_loaded_gen != gen) {
        struct sq_workcal fresh;
        if (appeals_store_load_calendar(&fresh, NULL) == SQ_OK) {
            if (cal_loaded_gen)
                sq_workcal_cleanup(&cal);
            cal = fresh;
            cal_loaded_gen = gen;
        } else {
            sq_workcal_cleanup(&fresh);
            sq_error("event=calendar_load_failed");
            if (!cal_loaded_gen) {
                sq_workcal_init(&cal); /* plain Mon-Fri rather than nothing */
                cal_loaded_gen = -1;
            }
        }
    }
    pthread_rwlock_unlock(&cal_lock);
    pthread_rwlock_rdlock(&cal_lock);
    return &cal;
}

void appeals_calendar_release(void)
{
    pthread_rwlock_unlock(&cal_lock);
}

static void cal_bump(void *unused)
{
    (void)unused;
    atomic_fetch_add(&cal_gen, 1);
}

/* Now, and again once the change has committed: a thread that reloaded in
 * between (the writer's batch still open) read the old calendar. */
void appeals_calendar_invalidate(void)
{
    cal_bump(NULL);
    if (sq_db_in_tx())
        sq_db_on_commit(cal_bump, NULL);
}

void appeals_calendar_free(void)
{
    pthread_rwlock_wrlock(&cal_lock);
    if (cal_loaded_gen)
        sq_workcal_cleanup(&cal);
    cal_loaded_gen = 0;
    pthread_rwlock_unlock(&cal_lock);
}
