;; Histogram building and row partition for the histogram GBDT (used by src/ml/kernels/hist-build.ts).
;;
;; The memory is shared: worker threads instantiate this module over the same memory and run `build` on
;; their own slices of the rows into their own histogram regions.
;;
;; Memory layout (byte addresses, all given by the caller):
;;   bins:       one byte per (row, feature), row r's at $bins + r * $stride ($stride a multiple of 4);
;;   gh:         interleaved (gradient, hessian) f64 pairs, row r's pair at $gh + 16 r;
;;   rows:       i32 row numbers of a node, [$rows, $rows + 4 $count);
;;   histogram:  per feature 256 bins of (gradient sum, hessian sum) f64 pairs (4096 bytes) and 16 bytes of
;;               padding, 4112 bytes a feature. The padding matters: without it, bin b of every feature
;;               has the same address modulo 4096, and when many features share a bin (one-hot columns,
;;               missing values) each load waits for the stores before it (4K aliasing): 25× slower.
;;   sides:      256 bytes, 1 for each bin a split sends left.
(module
  (import "env" "memory" (memory 0 65536 shared))

  ;; build(bins, stride, gh, rows, count, hist, featureBytes, features): for each listed row in order, its
  ;; (g, h) pair is added as one f64x2 into the row's bin of each of its first `features` features (0: all
  ;; `stride`), so each bin sums the same numbers in the same order as the plain loop. Features are taken
  ;; four at a time (the stride is a multiple of 4), the last features & 3 one at a time. featureBytes is
  ;; the wide kernel's and ignored here. The padding features (past the real ones) are left out when
  ;; `features` says where they start: their bin is 0 in every row, so each row's update of that one cell
  ;; waited for the previous row's (a store-to-load chain of ~10 cycles a row): 2 features (stride 4)
  ;; built 2× slower with their 2 padding features than without.
  (func (export "build")
    (param $bins i32) (param $stride i32)
    (param $gh i32) (param $rows i32) (param $count i32)
    (param $hist i32) (param $feature_bytes i32) (param $features i32)
    (local $row_bins i32)  ;; the current feature's bin byte of the current row
    (local $row_end i32)   ;; one past the row's last whole word of bins to build
    (local $tail i32)      ;; features built one at a time after the words (features & 3)
    (local $feature i32)   ;; the current feature's histogram (4112 bytes a feature)
    (local $at i32)        ;; the bin's (g, h) cell
    (local $pair v128)     ;; the row's (g, h)
    (local $word i32)      ;; the four bins of the step's features, one byte each (little-endian)
    (local $block_end i32) ;; one past the block's last row in the list
    (local $ahead_at i32)  ;; where in the list a row touched ahead is
    (local $ahead i32)     ;; that row
    (local $row i32)       ;; the current row (the two-feature loop)

    ;; Rows in blocks of 16. Before each block, the next block's bins and (g, h) are read and dropped
    ;; together: WebAssembly has no prefetch, and a deep node's rows are scattered over the matrix, so each
    ;; row's lines came from memory one row after another (a row's updates fill the reorder window; a lone
    ;; read 8 rows ahead only moved the wait). Read together, the misses overlap: 800k rows of 28 features,
    ;; every 16th/64th row, 210/250 → 90/105 ns a row (blocks of 8: 100/110), consecutive rows as before;
    ;; a 1M-row fit about 20% less CPU. Not for rows of fewer than 8 bins (a few features): the touches
    ;; would be half their loads. The check is once a block: once a row, it cost weak-2 (4 bins a row)
    ;; 15–35% more CPU (ABBA pairs on a loaded machine). Nor for a block whose row 31 ahead is 31 rows on (the
    ;; rows are consecutive, as in a root: they arrive in order and the hardware's own prefetch has them):
    ;; 120k rows of 28 features in order, 13.5–15.3 → 12.2–12.7 ns a row (alternating runs).
    (if (i32.or (i32.eqz (local.get $features)) (i32.gt_u (local.get $features) (local.get $stride)))
      (then (local.set $features (local.get $stride))))
    (local.set $tail (i32.and (local.get $features) (i32.const 3)))
    (local.set $features (i32.and (local.get $features) (i32.const -4)))
    ;; Two features (a row's bins in one word, two of them real): two rows a step, without the blocks' and
    ;; the words' checks: 160k rows of 2 features, 2.3 → 1.2 ns a row in order, 4.4 → 3.6 every 8th row
    ;; (no touches either way: see below). The same additions in the same order; an odd last row is left to
    ;; the loop below.
    (if (i32.and (i32.eqz (local.get $features)) (i32.eq (local.get $tail) (i32.const 2))) (then
      (local.set $block_end (i32.add (local.get $rows) (i32.shl (i32.and (local.get $count) (i32.const -2)) (i32.const 2))))
      (block $pairs_done
        (loop $pairs
          (br_if $pairs_done (i32.ge_u (local.get $rows) (local.get $block_end)))
          (local.set $row_bins
            (i32.add (i32.mul (local.tee $row (i32.load offset=0 (local.get $rows))) (local.get $stride)) (local.get $bins)))
          (local.set $pair (v128.load (i32.add (local.get $gh) (i32.shl (local.get $row) (i32.const 4)))))
          (local.set $at (i32.add (local.get $hist) (i32.shl (i32.load8_u (local.get $row_bins)) (i32.const 4))))
          (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (local.get $pair)))
          (local.set $at (i32.add (local.get $hist) (i32.shl (i32.load8_u offset=1 (local.get $row_bins)) (i32.const 4))))
          (v128.store offset=4112 (local.get $at) (f64x2.add (v128.load offset=4112 (local.get $at)) (local.get $pair)))
          (local.set $row_bins
            (i32.add (i32.mul (local.tee $row (i32.load offset=4 (local.get $rows))) (local.get $stride)) (local.get $bins)))
          (local.set $pair (v128.load (i32.add (local.get $gh) (i32.shl (local.get $row) (i32.const 4)))))
          (local.set $at (i32.add (local.get $hist) (i32.shl (i32.load8_u (local.get $row_bins)) (i32.const 4))))
          (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (local.get $pair)))
          (local.set $at (i32.add (local.get $hist) (i32.shl (i32.load8_u offset=1 (local.get $row_bins)) (i32.const 4))))
          (v128.store offset=4112 (local.get $at) (f64x2.add (v128.load offset=4112 (local.get $at)) (local.get $pair)))
          (local.set $rows (i32.add (local.get $rows) (i32.const 8)))
          (br $pairs)))
      (local.set $count (i32.and (local.get $count) (i32.const 1)))))
    (block $done
      (loop $blocks
        (br_if $done (i32.eqz (local.get $count)))
        (if (i32.and
              (i32.and (i32.ge_u (local.get $count) (i32.const 32)) (i32.ge_u (local.get $stride) (i32.const 8)))
              (i32.ne (i32.sub (i32.load offset=124 (local.get $rows)) (i32.load (local.get $rows))) (i32.const 31)))
          (then
            (local.set $ahead_at (i32.add (local.get $rows) (i32.const 64)))
            (loop $touches
              (local.set $ahead (i32.load (local.get $ahead_at)))
              (drop (i32.load (i32.add (i32.mul (local.get $ahead) (local.get $stride)) (local.get $bins))))
              (drop (i32.load (i32.add (local.get $gh) (i32.shl (local.get $ahead) (i32.const 4)))))
              (br_if $touches
                (i32.lt_u
                  (local.tee $ahead_at (i32.add (local.get $ahead_at) (i32.const 4)))
                  (i32.add (local.get $rows) (i32.const 128)))))))
        (local.set $block_end
          (i32.add (local.get $rows)
            (i32.shl
              (select (i32.const 16) (local.get $count) (i32.gt_u (local.get $count) (i32.const 16)))
              (i32.const 2))))
        (local.set $count
          (i32.sub (local.get $count)
            (i32.shr_u (i32.sub (local.get $block_end) (local.get $rows)) (i32.const 2))))
        (loop $rows_loop
          (local.set $pair
            (v128.load (i32.add (local.get $gh) (i32.shl (i32.load (local.get $rows)) (i32.const 4)))))
          (local.set $row_end
            (i32.add
              (local.tee $row_bins
                (i32.add (i32.mul (i32.load (local.get $rows)) (local.get $stride)) (local.get $bins)))
              (local.get $features)))
          (local.set $feature (local.get $hist))
          ;; Four features per step: hist[f][bin] += (g, h), the cell read and written as one v128. Their
          ;; bins are one i32 load, each cell's offset (bin · 16) masked out of it: 8% less time than four
          ;; byte loads (28 features, Node 20).
          (if (i32.lt_u (local.get $row_bins) (local.get $row_end)) (then
          (loop $features
            (local.set $word (i32.load (local.get $row_bins)))
            (local.set $at
              (i32.add (local.get $feature) (i32.and (i32.shl (local.get $word) (i32.const 4)) (i32.const 4080))))
            (v128.store offset=0 (local.get $at)
              (f64x2.add (v128.load offset=0 (local.get $at)) (local.get $pair)))
            (local.set $at
              (i32.add (local.get $feature) (i32.and (i32.shr_u (local.get $word) (i32.const 4)) (i32.const 4080))))
            (v128.store offset=4112 (local.get $at)
              (f64x2.add (v128.load offset=4112 (local.get $at)) (local.get $pair)))
            (local.set $at
              (i32.add (local.get $feature) (i32.and (i32.shr_u (local.get $word) (i32.const 12)) (i32.const 4080))))
            (v128.store offset=8224 (local.get $at)
              (f64x2.add (v128.load offset=8224 (local.get $at)) (local.get $pair)))
            (local.set $at
              (i32.add (local.get $feature) (i32.and (i32.shr_u (local.get $word) (i32.const 20)) (i32.const 4080))))
            (v128.store offset=12336 (local.get $at)
              (f64x2.add (v128.load offset=12336 (local.get $at)) (local.get $pair)))
            (local.set $feature (i32.add (local.get $feature) (i32.const 16448)))
            (br_if $features
              (i32.lt_u
                (local.tee $row_bins (i32.add (local.get $row_bins) (i32.const 4)))
                (local.get $row_end))))))
          ;; The last features & 3 features, one byte each.
          (if (local.get $tail) (then
            (local.set $at
              (i32.add (local.get $feature) (i32.shl (i32.load8_u (local.get $row_bins)) (i32.const 4))))
            (v128.store offset=0 (local.get $at)
              (f64x2.add (v128.load offset=0 (local.get $at)) (local.get $pair)))
            (if (i32.ge_u (local.get $tail) (i32.const 2)) (then
              (local.set $at
                (i32.add (local.get $feature) (i32.shl (i32.load8_u offset=1 (local.get $row_bins)) (i32.const 4))))
              (v128.store offset=4112 (local.get $at)
                (f64x2.add (v128.load offset=4112 (local.get $at)) (local.get $pair)))
              (if (i32.eq (local.get $tail) (i32.const 3)) (then
                (local.set $at
                  (i32.add (local.get $feature) (i32.shl (i32.load8_u offset=2 (local.get $row_bins)) (i32.const 4))))
                (v128.store offset=8224 (local.get $at)
                  (f64x2.add (v128.load offset=8224 (local.get $at)) (local.get $pair)))))))))
          (br_if $rows_loop
            (i32.lt_u
              (local.tee $rows (i32.add (local.get $rows) (i32.const 4)))
              (local.get $block_end))))
        (br $blocks))))

  ;; partition(bins, step, rows, count, scratch, sides, back) -> rows sent left. A stable partition of the
  ;; listed rows by one feature, whose bin for row r is at $bins + r * $step: rows whose bin has
  ;; sides[bin] = 1 move to the front of the list, in order; the others go to scratch, in order. Each row is
  ;; written once, to the cursor its side picks (a select, without a branch; was a store to both: 6%
  ;; slower), and its side advances that cursor. Then with $back 1 the right rows are copied back from
  ;; scratch after the left ones (the list holds the node's rows, left then right), with $back 2 the left
  ;; rows are copied to scratch after the right ones (a part of a node that is merged after: threads.ts).
  ;; One memory.copy each: the same copy as a TypedArray set on the shared memory took ~5% of a weak-2 fit
  ;; (V8 copies shared memory an element at a time). Other entries are left as they were.
  (func (export "partition")
    (param $bins i32) (param $step i32)
    (param $rows i32) (param $count i32)
    (param $scratch i32) (param $sides i32) (param $back i32)
    (result i32)
    (local $write i32)  ;; where the next left row goes in the list
    (local $end i32)    ;; one past the list's last row
    (local $row i32)
    (local $left i32)   ;; 4 when the row goes left, else 0
    (local $block_end i32) ;; one past the block's last row in the list
    (local $ahead_at i32)  ;; where in the list a row touched ahead is

    (local.set $write (local.get $rows))
    (local.set $end (i32.add (local.get $rows) (i32.shl (local.get $count) (i32.const 2))))
    ;; Rows in blocks of 32; before each, the bins of the 32 rows after the next 32 are read together (as
    ;; in build): every 16th/64th of 800k rows of 28 features, 30/45 → 22/32 ns a row (16 rows: 27/40).
    ;; Not from a column-major copy (step 1: small data, its rows' bins share cache lines).
    (block $done
      (loop $blocks
        (br_if $done (i32.ge_u (local.get $rows) (local.get $end)))
        (if (i32.and
              (i32.ge_u (i32.sub (local.get $end) (local.get $rows)) (i32.const 256))
              (i32.ge_u (local.get $step) (i32.const 8)))
          (then
            (local.set $ahead_at (i32.add (local.get $rows) (i32.const 128)))
            (loop $touches
              (drop (i32.load8_u (i32.add (local.get $bins)
                (i32.mul (i32.load (local.get $ahead_at)) (local.get $step)))))
              (br_if $touches
                (i32.lt_u
                  (local.tee $ahead_at (i32.add (local.get $ahead_at) (i32.const 4)))
                  (i32.add (local.get $rows) (i32.const 256)))))))
        (local.set $block_end
          (select (i32.add (local.get $rows) (i32.const 128)) (local.get $end)
            (i32.lt_u (i32.add (local.get $rows) (i32.const 128)) (local.get $end))))
        ;; From the column-major copy (step 1): the bin at $bins + row, without the multiply, four rows a step
        ;; (each row is read before its store, which is at or before it), the last few by the loop below: 1.0 →
        ;; 0.83 ns a row (160k rows, 2 features), 17% less. The same stores in the same order as that loop.
        (if (i32.eq (local.get $step) (i32.const 1))
          (then
            (block $quads_done
              (loop $quads
                (br_if $quads_done
                  (i32.ge_u (i32.add (local.get $rows) (i32.const 12)) (local.get $block_end)))
                (local.set $row (i32.load offset=0 (local.get $rows)))
                (local.set $left
                  (i32.shl
                    (i32.load8_u (i32.add (local.get $sides) (i32.load8_u (i32.add (local.get $bins) (local.get $row)))))
                    (i32.const 2)))
                (i32.store (select (local.get $write) (local.get $scratch) (local.get $left)) (local.get $row))
                (local.set $write (i32.add (local.get $write) (local.get $left)))
                (local.set $scratch (i32.sub (i32.add (local.get $scratch) (i32.const 4)) (local.get $left)))
                (local.set $row (i32.load offset=4 (local.get $rows)))
                (local.set $left
                  (i32.shl
                    (i32.load8_u (i32.add (local.get $sides) (i32.load8_u (i32.add (local.get $bins) (local.get $row)))))
                    (i32.const 2)))
                (i32.store (select (local.get $write) (local.get $scratch) (local.get $left)) (local.get $row))
                (local.set $write (i32.add (local.get $write) (local.get $left)))
                (local.set $scratch (i32.sub (i32.add (local.get $scratch) (i32.const 4)) (local.get $left)))
                (local.set $row (i32.load offset=8 (local.get $rows)))
                (local.set $left
                  (i32.shl
                    (i32.load8_u (i32.add (local.get $sides) (i32.load8_u (i32.add (local.get $bins) (local.get $row)))))
                    (i32.const 2)))
                (i32.store (select (local.get $write) (local.get $scratch) (local.get $left)) (local.get $row))
                (local.set $write (i32.add (local.get $write) (local.get $left)))
                (local.set $scratch (i32.sub (i32.add (local.get $scratch) (i32.const 4)) (local.get $left)))
                (local.set $row (i32.load offset=12 (local.get $rows)))
                (local.set $left
                  (i32.shl
                    (i32.load8_u (i32.add (local.get $sides) (i32.load8_u (i32.add (local.get $bins) (local.get $row)))))
                    (i32.const 2)))
                (i32.store (select (local.get $write) (local.get $scratch) (local.get $left)) (local.get $row))
                (local.set $write (i32.add (local.get $write) (local.get $left)))
                (local.set $scratch (i32.sub (i32.add (local.get $scratch) (i32.const 4)) (local.get $left)))
                (local.set $rows (i32.add (local.get $rows) (i32.const 16)))
                (br $quads)))))
        ;; The rest of the block (all of it unless step 1) one row at a time.
        (block $rows_done
          (br_if $rows_done (i32.ge_u (local.get $rows) (local.get $block_end)))
          (loop $rows_loop
            (local.set $row (i32.load (local.get $rows)))
            (local.set $left
              (i32.shl
                (i32.load8_u
                  (i32.add (local.get $sides)
                    (i32.load8_u (i32.add (local.get $bins) (i32.mul (local.get $row) (local.get $step))))))
                (i32.const 2)))
            (i32.store
              (select (local.get $write) (local.get $scratch) (local.get $left))
              (local.get $row))
            (local.set $write (i32.add (local.get $write) (local.get $left)))
            (local.set $scratch (i32.sub (i32.add (local.get $scratch) (i32.const 4)) (local.get $left)))
            (br_if $rows_loop
              (i32.lt_u
                (local.tee $rows (i32.add (local.get $rows) (i32.const 4)))
                (local.get $block_end)))))
        (br $blocks)))
    ;; back 1: the right rows, end - write bytes, back from scratch (which is now past them) after the left
    ;; rows. back 2: the left rows, write - (end - 4 count) bytes, to scratch after the right rows.
    (if (i32.eq (local.get $back) (i32.const 1)) (then
      (memory.copy (local.get $write)
        (i32.sub (local.get $scratch) (i32.sub (local.get $end) (local.get $write)))
        (i32.sub (local.get $end) (local.get $write)))))
    (if (i32.eq (local.get $back) (i32.const 2)) (then
      (memory.copy (local.get $scratch)
        (i32.sub (local.get $end) (i32.shl (local.get $count) (i32.const 2)))
        (i32.sub (local.get $write) (i32.sub (local.get $end) (i32.shl (local.get $count) (i32.const 2)))))))
    ;; Rows sent left: (write - (end - 4 count)) / 4.
    (i32.shr_u
      (i32.sub (local.get $write) (i32.sub (local.get $end) (i32.shl (local.get $count) (i32.const 2))))
      (i32.const 2)))

  ;; mark(bins, step, rows, count, marks, nodes): for each listed row r, whose bin is at $bins + r * $step,
  ;; marks[r] (u16, at $marks + 2 r) = nodes[bin] (u16, at $nodes + 2 bin): the leaf each row of a split whose
  ;; children are leaves ends in, without partitioning it (models/hist/grower.ts, markSplit).
  (func (export "mark")
    (param $bins i32) (param $step i32)
    (param $rows i32) (param $count i32)
    (param $marks i32) (param $nodes i32)
    (local $end i32)
    (local $row i32)
    (local.set $end (i32.add (local.get $rows) (i32.shl (local.get $count) (i32.const 2))))
    ;; From the column-major copy (step 1), as partition: no multiply, four rows a step.
    (if (i32.eq (local.get $step) (i32.const 1)) (then
      (block $quads_done
        (loop $quads
          (br_if $quads_done (i32.ge_u (i32.add (local.get $rows) (i32.const 12)) (local.get $end)))
          (local.set $row (i32.load offset=0 (local.get $rows)))
          (i32.store16
            (i32.add (local.get $marks) (i32.shl (local.get $row) (i32.const 1)))
            (i32.load16_u
              (i32.add (local.get $nodes)
                (i32.shl (i32.load8_u (i32.add (local.get $bins) (local.get $row))) (i32.const 1)))))
          (local.set $row (i32.load offset=4 (local.get $rows)))
          (i32.store16
            (i32.add (local.get $marks) (i32.shl (local.get $row) (i32.const 1)))
            (i32.load16_u
              (i32.add (local.get $nodes)
                (i32.shl (i32.load8_u (i32.add (local.get $bins) (local.get $row))) (i32.const 1)))))
          (local.set $row (i32.load offset=8 (local.get $rows)))
          (i32.store16
            (i32.add (local.get $marks) (i32.shl (local.get $row) (i32.const 1)))
            (i32.load16_u
              (i32.add (local.get $nodes)
                (i32.shl (i32.load8_u (i32.add (local.get $bins) (local.get $row))) (i32.const 1)))))
          (local.set $row (i32.load offset=12 (local.get $rows)))
          (i32.store16
            (i32.add (local.get $marks) (i32.shl (local.get $row) (i32.const 1)))
            (i32.load16_u
              (i32.add (local.get $nodes)
                (i32.shl (i32.load8_u (i32.add (local.get $bins) (local.get $row))) (i32.const 1)))))
          (local.set $rows (i32.add (local.get $rows) (i32.const 16)))
          (br $quads)))))
    (block $done
      (br_if $done (i32.ge_u (local.get $rows) (local.get $end)))
      (loop $rows_loop
        (local.set $row (i32.load (local.get $rows)))
        (i32.store16
          (i32.add (local.get $marks) (i32.shl (local.get $row) (i32.const 1)))
          (i32.load16_u
            (i32.add (local.get $nodes)
              (i32.shl
                (i32.load8_u (i32.add (local.get $bins) (i32.mul (local.get $row) (local.get $step))))
                (i32.const 1)))))
        (br_if $rows_loop
          (i32.lt_u
            (local.tee $rows (i32.add (local.get $rows) (i32.const 4)))
            (local.get $end))))))

  ;; markSides(bins, step, rows, count, marks, sides, right, delta): as mark, from a split's side table (u8 per
  ;; bin, 1: left) instead of a node per bin: marks[r] = right - sides[bin] * delta (left = right - delta), so
  ;; worker threads mark the nodes of a level at once, each with its own side table (models/hist/threads.ts).
  (func (export "markSides")
    (param $bins i32) (param $step i32)
    (param $rows i32) (param $count i32)
    (param $marks i32) (param $sides i32)
    (param $right i32) (param $delta i32)
    (local $end i32)
    (local $row i32)
    (local.set $end (i32.add (local.get $rows) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (br_if $done (i32.ge_u (local.get $rows) (local.get $end)))
      (loop $rows_loop
        (local.set $row (i32.load (local.get $rows)))
        (i32.store16
          (i32.add (local.get $marks) (i32.shl (local.get $row) (i32.const 1)))
          (i32.sub (local.get $right)
            (i32.mul (local.get $delta)
              (i32.load8_u
                (i32.add (local.get $sides)
                  (i32.load8_u (i32.add (local.get $bins) (i32.mul (local.get $row) (local.get $step)))))))))
        (br_if $rows_loop
          (i32.lt_u
            (local.tee $rows (i32.add (local.get $rows) (i32.const 4)))
            (local.get $end))))))

  ;; copy(to, from, bytes): memory.copy, for the row lists on the shared memory (a TypedArray set there
  ;; copies an element at a time).
  (func (export "copy") (param $to i32) (param $from i32) (param $bytes i32)
    (memory.copy (local.get $to) (local.get $from) (local.get $bytes)))

  ;; transpose(bins, stride, count, columns): columns[f · count + i] = bins[i · stride + f] for every row i < count
  ;; and f < stride (the column-major copy that partitions and marks read: step 1). 16 rows × 4 columns a
  ;; step: each group of 4 rows' words (one column quad each) in a v128, its bytes regrouped by column, and
  ;; the 4 groups' column quads put together into one v128 of 16 rows per column. The last count & 15 rows
  ;; one byte at a time. The JavaScript loop (a byte a step, bounds checked) took 240 ms of a 1M × 28 fit.
  (func (export "transpose") (param $bins i32) (param $stride i32) (param $count i32) (param $columns i32)
    (local $row i32)      ;; the step's first row
    (local $at i32)       ;; its column quad's word in the bins
    (local $out i32)      ;; where the step's first column gets its 16 rows
    (local $rows_end i32) ;; one past the last whole step's rows
    (local $f i32)
    (local $g0 v128) (local $g1 v128) (local $g2 v128) (local $g3 v128) ;; rows 4k..4k+3, by column
    (local $lo v128) (local $hi v128) (local $lo2 v128) (local $hi2 v128)
    (local.set $rows_end (i32.and (local.get $count) (i32.const -16)))
    (block $steps_done
      (loop $steps
        (br_if $steps_done (i32.ge_u (local.get $row) (local.get $rows_end)))
        (local.set $f (i32.const 0))
        (loop $quads
          (local.set $at
            (i32.add (local.get $bins) (i32.add (i32.mul (local.get $row) (local.get $stride)) (local.get $f))))
          (local.set $g0 (call $group (local.get $at) (local.get $stride)))
          (local.set $g1 (call $group
            (i32.add (local.get $at) (i32.shl (local.get $stride) (i32.const 2))) (local.get $stride)))
          (local.set $g2 (call $group
            (i32.add (local.get $at) (i32.shl (local.get $stride) (i32.const 3))) (local.get $stride)))
          (local.set $g3 (call $group
            (i32.add (local.get $at) (i32.mul (local.get $stride) (i32.const 12))) (local.get $stride)))
          ;; lo: columns 0, 1 of groups 0, 1 (g0.c0 g1.c0 g0.c1 g1.c1); hi: columns 2, 3; lo2, hi2 of groups 2, 3.
          (local.set $lo (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $g0) (local.get $g1)))
          (local.set $hi (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $g0) (local.get $g1)))
          (local.set $lo2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $g2) (local.get $g3)))
          (local.set $hi2 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $g2) (local.get $g3)))
          (local.set $out
            (i32.add (local.get $columns) (i32.add (i32.mul (local.get $f) (local.get $count)) (local.get $row))))
          (v128.store (local.get $out)
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $lo) (local.get $lo2)))
          (v128.store (local.tee $out (i32.add (local.get $out) (local.get $count)))
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $lo) (local.get $lo2)))
          (v128.store (local.tee $out (i32.add (local.get $out) (local.get $count)))
            (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $hi) (local.get $hi2)))
          (v128.store (i32.add (local.get $out) (local.get $count))
            (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $hi) (local.get $hi2)))
          (br_if $quads
            (i32.lt_u (local.tee $f (i32.add (local.get $f) (i32.const 4))) (local.get $stride))))
        (local.set $row (i32.add (local.get $row) (i32.const 16)))
        (br $steps)))
    (block $done
      (loop $rest
        (br_if $done (i32.ge_u (local.get $row) (local.get $count)))
        (local.set $f (i32.const 0))
        (loop $bytes
          (i32.store8
            (i32.add (local.get $columns) (i32.add (i32.mul (local.get $f) (local.get $count)) (local.get $row)))
            (i32.load8_u
              (i32.add (local.get $bins) (i32.add (i32.mul (local.get $row) (local.get $stride)) (local.get $f)))))
          (br_if $bytes
            (i32.lt_u (local.tee $f (i32.add (local.get $f) (i32.const 1))) (local.get $stride))))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (br $rest))))

  ;; The column quad of 4 rows (at $at, $at + stride, …) as one v128, regrouped by column: row r's byte of
  ;; column c at 4c + r.
  (func $group (param $at i32) (param $stride i32) (result v128)
    (i8x16.shuffle 0 4 8 12 1 5 9 13 2 6 10 14 3 7 11 15
      (i32x4.replace_lane 3
        (i32x4.replace_lane 2
          (i32x4.replace_lane 1
            (i32x4.splat (i32.load (local.get $at)))
            (i32.load (i32.add (local.get $at) (local.get $stride))))
          (i32.load (i32.add (local.get $at) (i32.shl (local.get $stride) (i32.const 1)))))
        (i32.load (i32.add (local.get $at) (i32.mul (local.get $stride) (i32.const 3)))))
      (v128.const i64x2 0 0)))

  ;; list(rows, count): the i32 row list 0, 1, …, count − 1 at $rows, four rows a store (the booster's row
  ;; list at the start of each round: a JavaScript loop over the shared memory took 10 ms of a 160k-row fit).
  (func (export "list") (param $rows i32) (param $count i32)
    (local $quads_end i32) ;; one past the last whole quad's last row in the list
    (local $quad v128)     ;; the next quad's rows
    (local $row i32)       ;; the next row after the quads
    (local.set $quads_end
      (i32.add (local.get $rows) (i32.shl (i32.and (local.get $count) (i32.const -4)) (i32.const 2))))
    (local.set $quad (v128.const i32x4 0 1 2 3))
    (block $quads_done
      (loop $quads
        (br_if $quads_done (i32.ge_u (local.get $rows) (local.get $quads_end)))
        (v128.store (local.get $rows) (local.get $quad))
        (local.set $quad (i32x4.add (local.get $quad) (v128.const i32x4 4 4 4 4)))
        (local.set $rows (i32.add (local.get $rows) (i32.const 16)))
        (br $quads)))
    (local.set $row (i32.and (local.get $count) (i32.const -4)))
    (block $done
      (loop $rest
        (br_if $done (i32.ge_u (local.get $row) (local.get $count)))
        (i32.store (local.get $rows) (local.get $row))
        (local.set $row (i32.add (local.get $row) (i32.const 1)))
        (local.set $rows (i32.add (local.get $rows) (i32.const 4)))
        (br $rest))))
)
