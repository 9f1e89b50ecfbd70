;; The MLP's dense layers (used by src/ml/kernels/mlp-forward.ts): z = W·a + b, then ReLU when asked,
;; in tiles of 4 input rows x 4 units (two f64x2 lane pairs per row).
;;
;; Every output keeps the scalar loop's arithmetic exactly (src/ml/kernels/dot.ts): the dot product sums
;; inputs k = 0, 1, 2, 3 (mod 4) in four accumulators s0..s3, the tail past the last multiple of 4 into s0,
;; and z = b + (((s0 + s1) + s2) + s3). Here pass m (0..3) sums the inputs k = m, m + 4, ... (pass 0 then
;; goes on through the tail) and adds its sums into the output tile, in the same order, so predictions
;; equal the training-time forward pass bit for bit.
;;
;; Memory layout (byte addresses given by the caller, all 16-byte aligned but the input rows):
;;   inputs:  f64 rows at $a, $a_stride bytes apart, up to $a_end (rows padded to a multiple of 4);
;;   weights: transposed, row k holds input k's weights for the padded units ($unit_bytes per row);
;;   biases:  at $b, one per padded unit;
;;   outputs: f64 rows at $z, $z_stride bytes apart.
(module
  (import "env" "memory" (memory 0))

  (func (export "layer")
    (param $a i32) (param $a_stride i32) (param $a_end i32)
    (param $w i32) (param $b i32)
    (param $z i32) (param $z_stride i32)
    (param $unit_bytes i32)  ;; padded units x 8
    (param $n4_bytes i32)    ;; inputs in the four-way part of the dot product (a multiple of 4) x 8
    (param $n_bytes i32)     ;; inputs x 8
    (param $relu i32)        ;; 1: apply ReLU (hidden layers)
    (local $r0 i32) (local $r1 i32) (local $r2 i32) (local $r3 i32)  ;; the tile's input rows
    (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32)  ;; the tile's output rows, at unit $u
    (local $u i32)      ;; the tile's first unit x 8
    (local $m i32)      ;; the pass: inputs k = m (mod 4)
    (local $k i32)      ;; input k x 8
    (local $wp i32)     ;; weight row k at unit $u
    (local $end i32)    ;; where the current run of k stops
    (local $k_step i32) ;; bytes from one k of the run to the next (32 in the four-way part, 8 in the tail)
    (local $w_step i32) ;; the same step in weight rows
    ;; The pass's sums for input row i and units 0, 1 ($si_01) or units 2, 3 ($si_23)
    (local $s0_01 v128) (local $s0_23 v128) (local $s1_01 v128) (local $s1_23 v128)
    (local $s2_01 v128) (local $s2_23 v128) (local $s3_01 v128) (local $s3_23 v128)
    (local $w01 v128) (local $w23 v128)  ;; input k's weights for units 0, 1 and 2, 3
    (local $x v128)     ;; input k of one row, in both lanes
    (local $v v128)     ;; an output pair being finished
    (block $rows_done
      (loop $row_tiles
        (br_if $rows_done (i32.ge_u (local.get $a) (local.get $a_end)))
        (local.set $r0 (local.get $a))
        (local.set $r1 (i32.add (local.get $r0) (local.get $a_stride)))
        (local.set $r2 (i32.add (local.get $r1) (local.get $a_stride)))
        (local.set $r3 (i32.add (local.get $r2) (local.get $a_stride)))
        (local.set $u (i32.const 0))
        (block $units_done
          (loop $unit_tiles
            (br_if $units_done (i32.ge_u (local.get $u) (local.get $unit_bytes)))
            (local.set $o0 (i32.add (local.get $z) (local.get $u)))
            (local.set $o1 (i32.add (local.get $o0) (local.get $z_stride)))
            (local.set $o2 (i32.add (local.get $o1) (local.get $z_stride)))
            (local.set $o3 (i32.add (local.get $o2) (local.get $z_stride)))
            ;; The output tile starts at -0, the identity of addition (-0 + x is x, also for x = +0 or -0).
            (v128.store (local.get $o0) (v128.const f64x2 -0 -0))
            (v128.store offset=16 (local.get $o0) (v128.const f64x2 -0 -0))
            (v128.store (local.get $o1) (v128.const f64x2 -0 -0))
            (v128.store offset=16 (local.get $o1) (v128.const f64x2 -0 -0))
            (v128.store (local.get $o2) (v128.const f64x2 -0 -0))
            (v128.store offset=16 (local.get $o2) (v128.const f64x2 -0 -0))
            (v128.store (local.get $o3) (v128.const f64x2 -0 -0))
            (v128.store offset=16 (local.get $o3) (v128.const f64x2 -0 -0))
            (local.set $m (i32.const 0))
            (loop $passes
              (local.set $s0_01 (v128.const f64x2 0 0)) (local.set $s0_23 (v128.const f64x2 0 0))
              (local.set $s1_01 (v128.const f64x2 0 0)) (local.set $s1_23 (v128.const f64x2 0 0))
              (local.set $s2_01 (v128.const f64x2 0 0)) (local.set $s2_23 (v128.const f64x2 0 0))
              (local.set $s3_01 (v128.const f64x2 0 0)) (local.set $s3_23 (v128.const f64x2 0 0))
              (local.set $k (i32.shl (local.get $m) (i32.const 3)))
              (local.set $wp
                (i32.add (i32.add (local.get $w) (local.get $u)) (i32.mul (local.get $m) (local.get $unit_bytes))))
              (local.set $end (local.get $n4_bytes))
              (local.set $k_step (i32.const 32))
              (local.set $w_step (i32.shl (local.get $unit_bytes) (i32.const 2)))
              (loop $runs
                (if (i32.lt_u (local.get $k) (local.get $end))
                  (then
                    (loop $inputs
                      (local.set $w01 (v128.load (local.get $wp)))
                      (local.set $w23 (v128.load offset=16 (local.get $wp)))
                      (local.set $x (v128.load64_splat (i32.add (local.get $r0) (local.get $k))))
                      (local.set $s0_01 (f64x2.add (local.get $s0_01) (f64x2.mul (local.get $x) (local.get $w01))))
                      (local.set $s0_23 (f64x2.add (local.get $s0_23) (f64x2.mul (local.get $x) (local.get $w23))))
                      (local.set $x (v128.load64_splat (i32.add (local.get $r1) (local.get $k))))
                      (local.set $s1_01 (f64x2.add (local.get $s1_01) (f64x2.mul (local.get $x) (local.get $w01))))
                      (local.set $s1_23 (f64x2.add (local.get $s1_23) (f64x2.mul (local.get $x) (local.get $w23))))
                      (local.set $x (v128.load64_splat (i32.add (local.get $r2) (local.get $k))))
                      (local.set $s2_01 (f64x2.add (local.get $s2_01) (f64x2.mul (local.get $x) (local.get $w01))))
                      (local.set $s2_23 (f64x2.add (local.get $s2_23) (f64x2.mul (local.get $x) (local.get $w23))))
                      (local.set $x (v128.load64_splat (i32.add (local.get $r3) (local.get $k))))
                      (local.set $s3_01 (f64x2.add (local.get $s3_01) (f64x2.mul (local.get $x) (local.get $w01))))
                      (local.set $s3_23 (f64x2.add (local.get $s3_23) (f64x2.mul (local.get $x) (local.get $w23))))
                      (local.set $wp (i32.add (local.get $wp) (local.get $w_step)))
                      (br_if $inputs
                        (i32.lt_u (local.tee $k (i32.add (local.get $k) (local.get $k_step))) (local.get $end))))))
                ;; Pass 0 goes on one input at a time through the tail, from $n4_bytes to $n_bytes.
                (if (i32.and (i32.eqz (local.get $m)) (i32.eq (local.get $k_step) (i32.const 32)))
                  (then
                    (local.set $end (local.get $n_bytes))
                    (local.set $k_step (i32.const 8))
                    (local.set $w_step (local.get $unit_bytes))
                    (br $runs))))
              ;; Add the pass into the output tile: ((s0 + s1) + s2) + s3.
              (v128.store (local.get $o0) (f64x2.add (v128.load (local.get $o0)) (local.get $s0_01)))
              (v128.store offset=16 (local.get $o0) (f64x2.add (v128.load offset=16 (local.get $o0)) (local.get $s0_23)))
              (v128.store (local.get $o1) (f64x2.add (v128.load (local.get $o1)) (local.get $s1_01)))
              (v128.store offset=16 (local.get $o1) (f64x2.add (v128.load offset=16 (local.get $o1)) (local.get $s1_23)))
              (v128.store (local.get $o2) (f64x2.add (v128.load (local.get $o2)) (local.get $s2_01)))
              (v128.store offset=16 (local.get $o2) (f64x2.add (v128.load offset=16 (local.get $o2)) (local.get $s2_23)))
              (v128.store (local.get $o3) (f64x2.add (v128.load (local.get $o3)) (local.get $s3_01)))
              (v128.store offset=16 (local.get $o3) (f64x2.add (v128.load offset=16 (local.get $o3)) (local.get $s3_23)))
              (br_if $passes (i32.lt_u (local.tee $m (i32.add (local.get $m) (i32.const 1))) (i32.const 4))))
            ;; z = sum + b, then max(z, 0) when $relu.
            (local.set $v (f64x2.add (v128.load (local.get $o0)) (v128.load (i32.add (local.get $b) (local.get $u)))))
            (v128.store (local.get $o0)
              (select (f64x2.max (local.get $v) (v128.const f64x2 0 0)) (local.get $v) (local.get $relu)))
            (local.set $v (f64x2.add (v128.load offset=16 (local.get $o0)) (v128.load offset=16 (i32.add (local.get $b) (local.get $u)))))
            (v128.store offset=16 (local.get $o0)
              (select (f64x2.max (local.get $v) (v128.const f64x2 0 0)) (local.get $v) (local.get $relu)))
            (local.set $v (f64x2.add (v128.load (local.get $o1)) (v128.load (i32.add (local.get $b) (local.get $u)))))
            (v128.store (local.get $o1)
              (select (f64x2.max (local.get $v) (v128.const f64x2 0 0)) (local.get $v) (local.get $relu)))
            (local.set $v (f64x2.add (v128.load offset=16 (local.get $o1)) (v128.load offset=16 (i32.add (local.get $b) (local.get $u)))))
            (v128.store offset=16 (local.get $o1)
              (select (f64x2.max (local.get $v) (v128.const f64x2 0 0)) (local.get $v) (local.get $relu)))
            (local.set $v (f64x2.add (v128.load (local.get $o2)) (v128.load (i32.add (local.get $b) (local.get $u)))))
            (v128.store (local.get $o2)
              (select (f64x2.max (local.get $v) (v128.const f64x2 0 0)) (local.get $v) (local.get $relu)))
            (local.set $v (f64x2.add (v128.load offset=16 (local.get $o2)) (v128.load offset=16 (i32.add (local.get $b) (local.get $u)))))
            (v128.store offset=16 (local.get $o2)
              (select (f64x2.max (local.get $v) (v128.const f64x2 0 0)) (local.get $v) (local.get $relu)))
            (local.set $v (f64x2.add (v128.load (local.get $o3)) (v128.load (i32.add (local.get $b) (local.get $u)))))
            (v128.store (local.get $o3)
              (select (f64x2.max (local.get $v) (v128.const f64x2 0 0)) (local.get $v) (local.get $relu)))
            (local.set $v (f64x2.add (v128.load offset=16 (local.get $o3)) (v128.load offset=16 (i32.add (local.get $b) (local.get $u)))))
            (v128.store offset=16 (local.get $o3)
              (select (f64x2.max (local.get $v) (v128.const f64x2 0 0)) (local.get $v) (local.get $relu)))
            (local.set $u (i32.add (local.get $u) (i32.const 32)))
            (br $unit_tiles)))
        (local.set $a (i32.add (local.get $r3) (local.get $a_stride)))
        (local.set $z (i32.add (local.get $z) (i32.shl (local.get $z_stride) (i32.const 2))))
        (br $row_tiles)))))
