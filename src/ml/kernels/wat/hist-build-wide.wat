;; Histogram building and row partition for uint16 bins (more than 255 bins a feature; used by
;; src/ml/kernels/hist-build.ts in place of hist-build.wat when the bin mapper is wide). The memory layout
;; and the order of the additions are those of hist-build.wat, except:
;;   bins:       two bytes per (row, feature), row r's at $bins + 2 r $stride;
;;   histogram:  per feature (missing bin + 1) (g, h) f64 pairs and 16 bytes of padding, $feature_bytes a
;;               feature: known at run time, so each feature's address is added up (no fixed offsets);
;;   sides:      (missing bin + 1) bytes, 1 for each bin a split sends left.
(module
  (import "env" "memory" (memory 0 65536 shared))

  ;; build(bins, stride, gh, rows, count, hist, feature_bytes): for each listed row in order, its (g, h)
  ;; pair is added as one f64x2 into the row's bin of every feature.
  (func (export "build")
    (param $bins i32) (param $stride i32)
    (param $gh i32) (param $rows i32) (param $count i32)
    (param $hist i32) (param $feature_bytes i32)
    (local $row_bins i32)  ;; the current feature's bin of the current row
    (local $row_end i32)   ;; one past the row's last bin
    (local $feature i32)   ;; the current feature's histogram
    (local $at i32)        ;; the bin's (g, h) cell
    (local $pair v128)     ;; the row's (g, h)

    (block $done
      (loop $rows_loop
        (br_if $done (i32.eqz (local.get $count)))
        (local.set $pair
          (v128.load (i32.add (local.get $gh) (i32.shl (i32.load (local.get $rows)) (i32.const 4)))))
        (local.set $row_end
          (i32.add
            (local.tee $row_bins
              (i32.add
                (i32.shl (i32.mul (i32.load (local.get $rows)) (local.get $stride)) (i32.const 1))
                (local.get $bins)))
            (i32.shl (local.get $stride) (i32.const 1))))
        (local.set $feature (local.get $hist))
        ;; Four features per step (the stride is a multiple of 4), $feature_bytes apart.
        (loop $features
          (local.set $at
            (i32.add (local.get $feature) (i32.shl (i32.load16_u offset=0 (local.get $row_bins)) (i32.const 4))))
          (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (local.get $pair)))
          (local.set $feature (i32.add (local.get $feature) (local.get $feature_bytes)))
          (local.set $at
            (i32.add (local.get $feature) (i32.shl (i32.load16_u offset=2 (local.get $row_bins)) (i32.const 4))))
          (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (local.get $pair)))
          (local.set $feature (i32.add (local.get $feature) (local.get $feature_bytes)))
          (local.set $at
            (i32.add (local.get $feature) (i32.shl (i32.load16_u offset=4 (local.get $row_bins)) (i32.const 4))))
          (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (local.get $pair)))
          (local.set $feature (i32.add (local.get $feature) (local.get $feature_bytes)))
          (local.set $at
            (i32.add (local.get $feature) (i32.shl (i32.load16_u offset=6 (local.get $row_bins)) (i32.const 4))))
          (v128.store (local.get $at) (f64x2.add (v128.load (local.get $at)) (local.get $pair)))
          (local.set $feature (i32.add (local.get $feature) (local.get $feature_bytes)))
          (br_if $features
            (i32.lt_u
              (local.tee $row_bins (i32.add (local.get $row_bins) (i32.const 8)))
              (local.get $row_end))))
        (local.set $rows (i32.add (local.get $rows) (i32.const 4)))
        (local.set $count (i32.sub (local.get $count) (i32.const 1)))
        (br $rows_loop))))

  ;; partition(bins, step, rows, count, scratch, sides, back) -> rows sent left: hist-build.wat's partition
  ;; (with its copies for back 1 and 2), the bin of row r read as a uint16 at $bins + 2 r $step.
  (func (export "partition")
    (param $bins i32) (param $step i32)
    (param $rows i32) (param $count i32)
    (param $scratch i32) (param $sides i32) (param $back i32)
    (result i32)
    (local $write i32)
    (local $end i32)
    (local $row i32)
    (local $left i32)

    (local.set $write (local.get $rows))
    (local.set $end (i32.add (local.get $rows) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $rows_loop
        (br_if $done (i32.ge_u (local.get $rows) (local.get $end)))
        (local.set $row (i32.load (local.get $rows)))
        (local.set $left
          (i32.shl
            (i32.load8_u
              (i32.add (local.get $sides)
                (i32.load16_u
                  (i32.add (local.get $bins)
                    (i32.shl (i32.mul (local.get $row) (local.get $step)) (i32.const 1))))))
            (i32.const 2)))
        (i32.store
          (select (local.get $write) (local.get $scratch) (local.get $left))
          (local.get $row))
        (local.set $write (i32.add (local.get $write) (local.get $left)))
        (local.set $scratch (i32.sub (i32.add (local.get $scratch) (i32.const 4)) (local.get $left)))
        (local.set $rows (i32.add (local.get $rows) (i32.const 4)))
        (br $rows_loop)))
    (if (i32.eq (local.get $back) (i32.const 1)) (then
      (memory.copy (local.get $write)
        (i32.sub (local.get $scratch) (i32.sub (local.get $end) (local.get $write)))
        (i32.sub (local.get $end) (local.get $write)))))
    (if (i32.eq (local.get $back) (i32.const 2)) (then
      (memory.copy (local.get $scratch)
        (i32.sub (local.get $end) (i32.shl (local.get $count) (i32.const 2)))
        (i32.sub (local.get $write) (i32.sub (local.get $end) (i32.shl (local.get $count) (i32.const 2)))))))
    (i32.shr_u
      (i32.sub (local.get $write) (i32.sub (local.get $end) (i32.shl (local.get $count) (i32.const 2))))
      (i32.const 2)))

  ;; copy(to, from, bytes): memory.copy, for the row lists on the shared memory (a TypedArray set there
  ;; copies an element at a time).
  (func (export "copy") (param $to i32) (param $from i32) (param $bytes i32)
    (memory.copy (local.get $to) (local.get $from) (local.get $bytes)))

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
