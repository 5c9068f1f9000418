// Linked-list processing in the spirit of CoreMark's list kernel: a list of
// records is searched, reversed, given new values, merge-sorted by value and
// merge-sorted back by key, every iteration. Pointer chasing, branches,
// loads and stores.
#include "bench.h"

#define LIST_NODES 256
// About 1e9 instructions (clang 14, -O2) per BENCH_SCALE.
#define LIST_ITERS (10300u * BENCH_SCALE)

struct node {
    struct node *next;
    uint32_t key;
    uint32_t val;
};

static struct node pool[LIST_NODES];

// Order by value (ties by key), or by key alone.
static int in_order(const struct node *a, const struct node *b, int by_key) {
    if (by_key) return a->key <= b->key;
    return a->val < b->val || (a->val == b->val && a->key <= b->key);
}

// Bottom-up merge sort: merge neighbouring runs of width 1, 2, 4, ... until
// one pass does a single merge. Stable, no recursion, no extra memory.
static struct node *merge_sort(struct node *list, int by_key) {
    for (unsigned width = 1;; width *= 2) {
        struct node *p = list, *tail = 0;
        unsigned merges = 0;
        list = 0;
        while (p) {
            merges++;
            struct node *q = p;
            unsigned psize = 0;
            while (psize < width && q) {
                psize++;
                q = q->next;
            }
            unsigned qsize = width;
            while (psize > 0 || (qsize > 0 && q)) {
                struct node *e;
                if (psize == 0 || (qsize > 0 && q && !in_order(p, q, by_key))) {
                    e = q;
                    q = q->next;
                    qsize--;
                } else {
                    e = p;
                    p = p->next;
                    psize--;
                }
                if (tail)
                    tail->next = e;
                else
                    list = e;
                tail = e;
            }
            p = q;
        }
        tail->next = 0;
        if (merges <= 1) return list;
    }
}

static struct node *reverse(struct node *list) {
    struct node *r = 0;
    while (list) {
        struct node *next = list->next;
        list->next = r;
        r = list;
        list = next;
    }
    return r;
}

// Position of key in the list, or -1.
static int find(const struct node *list, uint32_t key) {
    for (int i = 0; list; list = list->next, i++)
        if (list->key == key) return i;
    return -1;
}

int main(void) {
    uint32_t seed = 0x2545f491u;
    for (unsigned i = 0; i < LIST_NODES; i++) {
        seed = seed * 1664525u + 1013904223u;
        pool[i].key = i;
        pool[i].val = seed >> 20;
        pool[i].next = i + 1 < LIST_NODES ? &pool[i + 1] : 0;
    }
    struct node *list = pool;
    uint64_t sum = 0;
    uint32_t iters = OPAQUE(LIST_ITERS);
    for (uint32_t it = 0; it < iters; it++) {
        // Some keys are absent (the range is wider than the list).
        for (uint32_t j = 0; j < 4; j++)
            sum = bench_mix(sum, (uint64_t)(int64_t)find(list, (it * 37u + j * 61u) % (LIST_NODES + 16)));
        list = reverse(list);
        // New values, 12 bits wide so that ties occur.
        for (struct node *n = list; n; n = n->next) n->val = (n->val * 69069u + it + n->key) & 0xfff;
        list = merge_sort(list, 0);
        uint64_t order = 0;
        const struct node *n = list;
        for (int k = 0; k < 8; k++, n = n->next) order = order * 257 + n->key;
        sum = bench_mix(sum, order);
        list = merge_sort(list, 1);
        if (list->key != 0) bench_fail("list", "key order not restored");
    }
    uint32_t k = 0;
    for (const struct node *n = list; n; n = n->next, k++)
        if (n->key != k) bench_fail("list", "key order not restored");
    if (k != LIST_NODES) bench_fail("list", "nodes lost");
    bench_report("list", sum);
    return 0;
}
