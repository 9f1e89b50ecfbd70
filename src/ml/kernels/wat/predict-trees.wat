;; Tree traversal for boosted forests (used by src/ml/kernels/predict-trees.ts).
;;
;; A block of rows walks one tree a level at a time for the tree's whole depth, branch-free: a leaf points
;; to itself (threshold +inf, missing goes left), so rows that arrive early just stay. Each row's leaf value
;; is then added to its output cell, tree after tree as in the JS walk, so sums are identical.
;;
;; Memory layout (byte addresses, all given by the caller):
;;   node n at 16n: threshold f64 @0, feature * 8 i32 @8, next i32 @12 = the left child's address, with
;;                  bit 0 set when a missing value goes right (the right child is 16 bytes after the left);
;;   leaf values:   f64 at $values + node * 8 (the node address / 2);
;;   rows:          f64 values, row i at $x + i * $row_bytes;
;;   outputs:       f64, row i at $out + i * $out_bytes;
;;   node buffer:   one i32 node address per row, [$node_buf, $node_end).
(module
  (import "env" "memory" (memory 0))

  ;; Adds tree leaf values into each row's output: walk(root, depth, x, rowBytes, out, outBytes, nodeBuf,
  ;; nodeEnd, values).
  (func (export "walk")
    (param $root i32) (param $depth i32)
    (param $x i32) (param $row_bytes i32)
    (param $out i32) (param $out_bytes i32)
    (param $node_buf i32) (param $node_end i32)
    (param $values i32)
    (local $p i32)       ;; the current row's cell in the node buffer
    (local $row i32)     ;; the current row's values (or output cell)
    (local $node i32)    ;; the current row's node address
    (local $next i32)    ;; that node's next word
    (local $level i32)
    (local $v f64)       ;; the row's value of the node's feature

    ;; Every row starts at the root.
    (local.set $p (local.get $node_buf))
    (loop $rows
      (i32.store (local.get $p) (local.get $root))
      (br_if $rows
        (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 4))) (local.get $node_end))))

    ;; One level per sweep over the rows, depth times.
    (local.set $level (i32.const 0))
    (block $walked
      (loop $levels
        (br_if $walked (i32.ge_u (local.get $level) (local.get $depth)))
        (local.set $p (local.get $node_buf))
        (local.set $row (local.get $x))
        (loop $rows
          (local.set $node (i32.load (local.get $p)))
          (local.set $v
            (f64.load (i32.add (local.get $row) (i32.load offset=8 (local.get $node)))))
          (local.set $next (i32.load offset=12 (local.get $node)))
          ;; node := left child + 16 * (v > threshold | (v is NaN & missing goes right))
          (i32.store (local.get $p)
            (i32.add
              (i32.and (local.get $next) (i32.const -2))
              (i32.shl
                (i32.or
                  (f64.gt (local.get $v) (f64.load (local.get $node)))
                  (i32.and (f64.ne (local.get $v) (local.get $v)) (local.get $next)))
                (i32.const 4))))
          (local.set $row (i32.add (local.get $row) (local.get $row_bytes)))
          (br_if $rows
            (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 4))) (local.get $node_end))))
        (local.set $level (i32.add (local.get $level) (i32.const 1)))
        (br $levels)))

    ;; out[row] += values[leaf], the leaf's value at $values + address / 2.
    (local.set $p (local.get $node_buf))
    (local.set $row (local.get $out))
    (loop $rows
      (f64.store (local.get $row)
        (f64.add
          (f64.load (local.get $row))
          (f64.load
            (i32.add (local.get $values) (i32.shr_u (i32.load (local.get $p)) (i32.const 1))))))
      (local.set $row (i32.add (local.get $row) (local.get $out_bytes)))
      (br_if $rows
        (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 4))) (local.get $node_end))))))
