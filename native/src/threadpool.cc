// A small thread pool for the kernels: workers sleep on a condition variable (never spin: the
// machines are shared), the calling thread takes part in every job, and nested or concurrent calls
// (a kernel inside a job, or another JS worker thread) simply run serially.
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>
#if defined(__linux__)
#include <sched.h>
#endif

#include "kernels.h"

namespace tts {
namespace {

thread_local bool in_job = false;

struct Pool {
  std::mutex call;  // one job at a time; held while a job runs and while resizing
  std::mutex m;
  std::condition_variable wake, idle;
  std::vector<std::thread> workers;
  uint64_t gen = 0;
  bool stop = false;
  bool closed = true;  // the current job takes no more workers
  int busy = 0;        // workers inside the current job
  void (*fn)(void*, int64_t) = nullptr;
  void* ctx = nullptr;
  int64_t n = 0;
  std::atomic<int64_t> next{0};
  int size = 1;

  void work() {
    int64_t i;
    while ((i = next.fetch_add(1, std::memory_order_relaxed)) < n) fn(ctx, i);
  }

  void worker_loop() {
    in_job = true;  // kernels called from a worker never start a nested job
    uint64_t seen = 0;
    std::unique_lock<std::mutex> lk(m);
    for (;;) {
      wake.wait(lk, [&] { return stop || gen != seen; });
      if (stop) return;
      seen = gen;
      if (closed) continue;
      busy++;
      lk.unlock();
      work();
      lk.lock();
      if (--busy == 0 && closed) idle.notify_all();
    }
  }

  void start(int threads) {
    size = threads < 1 ? 1 : threads;
    stop = false;
    for (int t = 1; t < size; t++) workers.emplace_back([this] { worker_loop(); });
  }

  void shutdown() {
    {
      std::lock_guard<std::mutex> lk(m);
      stop = true;
    }
    wake.notify_all();
    for (auto& w : workers) w.join();
    workers.clear();
  }
};

int default_threads() {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    int c = CPU_COUNT(&set);
    if (c > 0) return c;
  }
#endif
  unsigned h = std::thread::hardware_concurrency();
  return h ? static_cast<int>(h) : 1;
}

// Never destroyed: threads blocked in the pool at process exit are simply ended with it.
Pool* pool() {
  static Pool* p = [] {
    Pool* q = new Pool();
    q->start(default_threads());
    return q;
  }();
  return p;
}

struct Buffer {
  void* p = nullptr;
  size_t cap = 0;
  ~Buffer() { std::free(p); }
};
thread_local Buffer buffers[4];

}  // namespace

void* scratch(int slot, size_t bytes) {
  Buffer& b = buffers[slot];
  if (b.cap < bytes) {
    std::free(b.p);
    size_t cap = (bytes + 4095) & ~static_cast<size_t>(4095);
    b.p = std::aligned_alloc(64, cap);
    b.cap = b.p ? cap : 0;
    if (!b.p) std::abort();
  }
  return b.p;
}

int num_threads() { return pool()->size; }

/** Resize the pool (at least 1 thread, the caller included). */
void set_num_threads(int threads) {
  Pool* p = pool();
  std::lock_guard<std::mutex> lk(p->call);
  p->shutdown();
  p->start(threads);
}

void parallel_for(int64_t n, void (*fn)(void* ctx, int64_t i), void* ctx) {
  Pool* p = pool();
  if (n <= 0) return;
  if (n == 1 || p->size == 1 || in_job || !p->call.try_lock()) {
    for (int64_t i = 0; i < n; i++) fn(ctx, i);
    return;
  }
  {
    std::lock_guard<std::mutex> lk(p->m);
    p->fn = fn;
    p->ctx = ctx;
    p->n = n;
    p->next.store(0, std::memory_order_relaxed);
    p->closed = false;
    p->gen++;
  }
  p->wake.notify_all();
  in_job = true;
  p->work();
  in_job = false;
  {
    std::unique_lock<std::mutex> lk(p->m);
    p->closed = true;
    p->idle.wait(lk, [&] { return p->busy == 0; });
  }
  p->call.unlock();
}

}  // namespace tts
