// A small thread pool for the kernels: the calling thread takes part in every job, and nested or
// concurrent calls (a kernel inside a job, or another JS worker thread) simply run serially. Between
// jobs a worker polls for the next one for a short while (kSpin) before it sleeps on a condition
// variable, and the caller polls for the workers' end the same way: a GEMM or a convolution is a
// series of jobs of a few hundred microseconds, and waking a sleeping thread costs tens of
// microseconds on a virtual machine. The bound keeps an idle pool off the (shared) cores.
#include <atomic>
#include <chrono>
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

// How long a thread polls for a state change before it waits on a condition variable. Longer polls
// trade one kind of step for another on two cores: at 200 us the workers stayed awake across a
// training step's kernels (README CNN step at 2 threads 5-15% faster), but MLP inference at batch 64
// went 15% slower and elementwise chains no faster, since a polling worker holds the core that V8's
// garbage-collector threads need between the kernels.
constexpr std::chrono::microseconds kSpin(50);

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

/** Poll `done()` for up to kSpin; whether it became true. */
template <class F>
bool spin_until(F done) {
  const auto until = std::chrono::steady_clock::now() + kSpin;
  for (int i = 0;; i++) {
    if (done()) return true;
    cpu_relax();
    if ((i & 63) == 63 && std::chrono::steady_clock::now() >= until) return false;
  }
}

struct Pool {
  std::mutex call;  // one job at a time; held while a job runs and while resizing
  std::mutex m;
  std::condition_variable wake, idle;
  std::vector<std::thread> workers;
  std::atomic<uint64_t> gen{0};  // changed (under m) for each job and for stop
  bool stop = false;
  bool closed = true;         // the current job takes no more workers
  std::atomic<int> busy{0};   // workers inside the current job (changed under m)
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
      if (!stop && gen.load(std::memory_order_acquire) == seen) {
        lk.unlock();
        spin_until([&] { return gen.load(std::memory_order_acquire) != seen; });
        lk.lock();
      }
      wake.wait(lk, [&] { return stop || gen.load(std::memory_order_relaxed) != seen; });
      if (stop) return;
      seen = gen.load(std::memory_order_relaxed);
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
      gen++;
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
    if (p->busy != 0) {
      lk.unlock();
      spin_until([&] { return p->busy.load(std::memory_order_acquire) == 0; });
      lk.lock();
    }
    p->idle.wait(lk, [&] { return p->busy == 0; });
  }
  p->call.unlock();
}

}  // namespace tts
