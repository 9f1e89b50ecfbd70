;; The two matrix-vector products of the logistic loss (used by src/ml/kernels/logistic-loss.ts) over one
;; cache block of rows: scores z = X·w + b and the gradient g += Xᵀ·r. X is row-major (f64, $p columns,
;; rows $p·8 bytes apart, any 8-byte alignment); both products walk eight rows at a time in f64x2 lanes over
;; pairs of columns, so one load of w (or of g) serves eight rows. V8 checks bounds on every typed-array
;; load in the JavaScript loop; here the whole block runs about three times faster.
;;
;; Summation order: column pairs (j, j+1) go into the two lanes of one accumulator per row, an odd last
;; column into lane 0, and z = (lane 0 + lane 1) + b. Not the order of the scalar loop, so results differ
;; from it by rounding only (test/ml/models/logistic-loss.test.ts compares with a row-by-row loss).
(module
  (import "env" "memory" (memory 0))

  ;; out[t] = b + Σ_j w[j]·x[t][j] for rows t < $rows; w at $w ($p values), out at $out.
  (func (export "scores")
    (param $x i32) (param $p i32) (param $w i32) (param $b f64) (param $rows i32) (param $out i32)
    (local $rb i32)    ;; bytes per row
    (local $pb i32)    ;; bytes of the column pairs (p rounded down to even, × 8)
    (local $t i32)     ;; row
    (local $a i32)     ;; row t at column j
    (local $j i32)     ;; column × 8
    (local $wj v128)
    (local $z0 v128) (local $z1 v128) (local $z2 v128) (local $z3 v128)
    (local $z4 v128) (local $z5 v128) (local $z6 v128) (local $z7 v128)
    (local $r2 i32) (local $r3 i32) (local $r4 i32) (local $r5 i32) (local $r6 i32) (local $r7 i32)
    (local.set $rb (i32.shl (local.get $p) (i32.const 3)))
    (local.set $pb (i32.shl (i32.and (local.get $p) (i32.const -2)) (i32.const 3)))
    (local.set $r2 (i32.shl (local.get $rb) (i32.const 1)))
    (local.set $r3 (i32.add (local.get $r2) (local.get $rb)))
    (local.set $r4 (i32.shl (local.get $rb) (i32.const 2)))
    (local.set $r5 (i32.add (local.get $r4) (local.get $rb)))
    (local.set $r6 (i32.add (local.get $r5) (local.get $rb)))
    (local.set $r7 (i32.add (local.get $r6) (local.get $rb)))
    ;; Eight rows at a time.
    (block $eights_done
      (loop $eights
        (br_if $eights_done (i32.gt_u (i32.add (local.get $t) (i32.const 8)) (local.get $rows)))
        (local.set $z0 (v128.const f64x2 0 0)) (local.set $z1 (v128.const f64x2 0 0))
        (local.set $z2 (v128.const f64x2 0 0)) (local.set $z3 (v128.const f64x2 0 0))
        (local.set $z4 (v128.const f64x2 0 0)) (local.set $z5 (v128.const f64x2 0 0))
        (local.set $z6 (v128.const f64x2 0 0)) (local.set $z7 (v128.const f64x2 0 0))
        (local.set $a (i32.add (local.get $x) (i32.mul (local.get $t) (local.get $rb))))
        (local.set $j (i32.const 0))
        (block $pairs_done
          (loop $pairs
            (br_if $pairs_done (i32.ge_u (local.get $j) (local.get $pb)))
            (local.set $wj (v128.load align=8 (i32.add (local.get $w) (local.get $j))))
            (local.set $z0 (f64x2.add (local.get $z0) (f64x2.mul (local.get $wj)
              (v128.load align=8 (local.get $a)))))
            (local.set $z1 (f64x2.add (local.get $z1) (f64x2.mul (local.get $wj)
              (v128.load align=8 (i32.add (local.get $a) (local.get $rb))))))
            (local.set $z2 (f64x2.add (local.get $z2) (f64x2.mul (local.get $wj)
              (v128.load align=8 (i32.add (local.get $a) (local.get $r2))))))
            (local.set $z3 (f64x2.add (local.get $z3) (f64x2.mul (local.get $wj)
              (v128.load align=8 (i32.add (local.get $a) (local.get $r3))))))
            (local.set $z4 (f64x2.add (local.get $z4) (f64x2.mul (local.get $wj)
              (v128.load align=8 (i32.add (local.get $a) (local.get $r4))))))
            (local.set $z5 (f64x2.add (local.get $z5) (f64x2.mul (local.get $wj)
              (v128.load align=8 (i32.add (local.get $a) (local.get $r5))))))
            (local.set $z6 (f64x2.add (local.get $z6) (f64x2.mul (local.get $wj)
              (v128.load align=8 (i32.add (local.get $a) (local.get $r6))))))
            (local.set $z7 (f64x2.add (local.get $z7) (f64x2.mul (local.get $wj)
              (v128.load align=8 (i32.add (local.get $a) (local.get $r7))))))
            (local.set $a (i32.add (local.get $a) (i32.const 16)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $pairs)))
        ;; An odd last column into lane 0 (the other lane multiplies zero).
        (if (i32.and (local.get $p) (i32.const 1))
          (then
            (local.set $wj (f64x2.replace_lane 1
              (f64x2.splat (f64.load (i32.add (local.get $w) (local.get $j)))) (f64.const 0)))
            (local.set $z0 (f64x2.add (local.get $z0) (f64x2.mul (local.get $wj)
              (v128.load64_zero (local.get $a)))))
            (local.set $z1 (f64x2.add (local.get $z1) (f64x2.mul (local.get $wj)
              (v128.load64_zero (i32.add (local.get $a) (local.get $rb))))))
            (local.set $z2 (f64x2.add (local.get $z2) (f64x2.mul (local.get $wj)
              (v128.load64_zero (i32.add (local.get $a) (local.get $r2))))))
            (local.set $z3 (f64x2.add (local.get $z3) (f64x2.mul (local.get $wj)
              (v128.load64_zero (i32.add (local.get $a) (local.get $r3))))))
            (local.set $z4 (f64x2.add (local.get $z4) (f64x2.mul (local.get $wj)
              (v128.load64_zero (i32.add (local.get $a) (local.get $r4))))))
            (local.set $z5 (f64x2.add (local.get $z5) (f64x2.mul (local.get $wj)
              (v128.load64_zero (i32.add (local.get $a) (local.get $r5))))))
            (local.set $z6 (f64x2.add (local.get $z6) (f64x2.mul (local.get $wj)
              (v128.load64_zero (i32.add (local.get $a) (local.get $r6))))))
            (local.set $z7 (f64x2.add (local.get $z7) (f64x2.mul (local.get $wj)
              (v128.load64_zero (i32.add (local.get $a) (local.get $r7))))))))
        (call $finish (local.get $out) (local.get $z0) (local.get $b))
        (call $finish (i32.add (local.get $out) (i32.const 8)) (local.get $z1) (local.get $b))
        (call $finish (i32.add (local.get $out) (i32.const 16)) (local.get $z2) (local.get $b))
        (call $finish (i32.add (local.get $out) (i32.const 24)) (local.get $z3) (local.get $b))
        (call $finish (i32.add (local.get $out) (i32.const 32)) (local.get $z4) (local.get $b))
        (call $finish (i32.add (local.get $out) (i32.const 40)) (local.get $z5) (local.get $b))
        (call $finish (i32.add (local.get $out) (i32.const 48)) (local.get $z6) (local.get $b))
        (call $finish (i32.add (local.get $out) (i32.const 56)) (local.get $z7) (local.get $b))
        (local.set $out (i32.add (local.get $out) (i32.const 64)))
        (local.set $t (i32.add (local.get $t) (i32.const 8)))
        (br $eights)))
    ;; The last rows one at a time.
    (block $rows_done
      (loop $row
        (br_if $rows_done (i32.ge_u (local.get $t) (local.get $rows)))
        (local.set $z0 (v128.const f64x2 0 0))
        (local.set $a (i32.add (local.get $x) (i32.mul (local.get $t) (local.get $rb))))
        (local.set $j (i32.const 0))
        (block $pairs1_done
          (loop $pairs1
            (br_if $pairs1_done (i32.ge_u (local.get $j) (local.get $pb)))
            (local.set $z0 (f64x2.add (local.get $z0) (f64x2.mul
              (v128.load align=8 (i32.add (local.get $w) (local.get $j)))
              (v128.load align=8 (i32.add (local.get $a) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $pairs1)))
        (if (i32.and (local.get $p) (i32.const 1))
          (then
            (local.set $z0 (f64x2.replace_lane 0 (local.get $z0)
              (f64.add (f64x2.extract_lane 0 (local.get $z0))
                (f64.mul (f64.load (i32.add (local.get $w) (local.get $j)))
                  (f64.load (i32.add (local.get $a) (local.get $j)))))))))
        (call $finish (local.get $out) (local.get $z0) (local.get $b))
        (local.set $out (i32.add (local.get $out) (i32.const 8)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $row))))

  ;; mem[at] = (lane 0 + lane 1) + b
  (func $finish (param $at i32) (param $z v128) (param $b f64)
    (f64.store (local.get $at)
      (f64.add (f64.add (f64x2.extract_lane 0 (local.get $z)) (f64x2.extract_lane 1 (local.get $z)))
        (local.get $b))))

  ;; g[j] += Σ_t r[t]·x[t][j] for rows t < $rows and columns j < $p; r at $r, g at $g.
  (func (export "gradient")
    (param $x i32) (param $p i32) (param $r i32) (param $rows i32) (param $g i32)
    (local $rb i32) (local $pb i32) (local $t i32) (local $a i32) (local $j i32) (local $gj i32)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $c4 v128) (local $c5 v128) (local $c6 v128) (local $c7 v128)
    (local $r2 i32) (local $r3 i32) (local $r4 i32) (local $r5 i32) (local $r6 i32) (local $r7 i32)
    (local.set $rb (i32.shl (local.get $p) (i32.const 3)))
    (local.set $pb (i32.shl (i32.and (local.get $p) (i32.const -2)) (i32.const 3)))
    (local.set $r2 (i32.shl (local.get $rb) (i32.const 1)))
    (local.set $r3 (i32.add (local.get $r2) (local.get $rb)))
    (local.set $r4 (i32.shl (local.get $rb) (i32.const 2)))
    (local.set $r5 (i32.add (local.get $r4) (local.get $rb)))
    (local.set $r6 (i32.add (local.get $r5) (local.get $rb)))
    (local.set $r7 (i32.add (local.get $r6) (local.get $rb)))
    (block $eights_done
      (loop $eights
        (br_if $eights_done (i32.gt_u (i32.add (local.get $t) (i32.const 8)) (local.get $rows)))
        ;; The eight rows' residuals, each in both lanes.
        (local.set $c0 (v128.load64_splat (local.get $r)))
        (local.set $c1 (v128.load64_splat offset=8 (local.get $r)))
        (local.set $c2 (v128.load64_splat offset=16 (local.get $r)))
        (local.set $c3 (v128.load64_splat offset=24 (local.get $r)))
        (local.set $c4 (v128.load64_splat offset=32 (local.get $r)))
        (local.set $c5 (v128.load64_splat offset=40 (local.get $r)))
        (local.set $c6 (v128.load64_splat offset=48 (local.get $r)))
        (local.set $c7 (v128.load64_splat offset=56 (local.get $r)))
        (local.set $a (i32.add (local.get $x) (i32.mul (local.get $t) (local.get $rb))))
        (local.set $gj (local.get $g))
        (local.set $j (i32.const 0))
        (block $pairs_done
          (loop $pairs
            (br_if $pairs_done (i32.ge_u (local.get $j) (local.get $pb)))
            (v128.store align=8 (local.get $gj)
              (f64x2.add (v128.load align=8 (local.get $gj))
                (f64x2.add
                  (f64x2.add
                    (f64x2.add
                      (f64x2.mul (local.get $c0) (v128.load align=8 (local.get $a)))
                      (f64x2.mul (local.get $c1) (v128.load align=8 (i32.add (local.get $a) (local.get $rb)))))
                    (f64x2.add
                      (f64x2.mul (local.get $c2) (v128.load align=8 (i32.add (local.get $a) (local.get $r2))))
                      (f64x2.mul (local.get $c3) (v128.load align=8 (i32.add (local.get $a) (local.get $r3))))))
                  (f64x2.add
                    (f64x2.add
                      (f64x2.mul (local.get $c4) (v128.load align=8 (i32.add (local.get $a) (local.get $r4))))
                      (f64x2.mul (local.get $c5) (v128.load align=8 (i32.add (local.get $a) (local.get $r5)))))
                    (f64x2.add
                      (f64x2.mul (local.get $c6) (v128.load align=8 (i32.add (local.get $a) (local.get $r6))))
                      (f64x2.mul (local.get $c7) (v128.load align=8 (i32.add (local.get $a) (local.get $r7)))))))))
            (local.set $a (i32.add (local.get $a) (i32.const 16)))
            (local.set $gj (i32.add (local.get $gj) (i32.const 16)))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $pairs)))
        (if (i32.and (local.get $p) (i32.const 1))
          (then
            (f64.store (local.get $gj)
              (f64.add (f64.load (local.get $gj))
                (f64x2.extract_lane 0
                  (f64x2.add
                    (f64x2.add
                      (f64x2.add
                        (f64x2.mul (local.get $c0) (v128.load64_zero (local.get $a)))
                        (f64x2.mul (local.get $c1) (v128.load64_zero (i32.add (local.get $a) (local.get $rb)))))
                      (f64x2.add
                        (f64x2.mul (local.get $c2) (v128.load64_zero (i32.add (local.get $a) (local.get $r2))))
                        (f64x2.mul (local.get $c3) (v128.load64_zero (i32.add (local.get $a) (local.get $r3))))))
                    (f64x2.add
                      (f64x2.add
                        (f64x2.mul (local.get $c4) (v128.load64_zero (i32.add (local.get $a) (local.get $r4))))
                        (f64x2.mul (local.get $c5) (v128.load64_zero (i32.add (local.get $a) (local.get $r5)))))
                      (f64x2.add
                        (f64x2.mul (local.get $c6) (v128.load64_zero (i32.add (local.get $a) (local.get $r6))))
                        (f64x2.mul (local.get $c7) (v128.load64_zero (i32.add (local.get $a) (local.get $r7))))))))))))
        (local.set $r (i32.add (local.get $r) (i32.const 64)))
        (local.set $t (i32.add (local.get $t) (i32.const 8)))
        (br $eights)))
    (block $rows_done
      (loop $row
        (br_if $rows_done (i32.ge_u (local.get $t) (local.get $rows)))
        (local.set $c0 (v128.load64_splat (local.get $r)))
        (local.set $a (i32.add (local.get $x) (i32.mul (local.get $t) (local.get $rb))))
        (local.set $j (i32.const 0))
        (block $pairs1_done
          (loop $pairs1
            (br_if $pairs1_done (i32.ge_u (local.get $j) (local.get $pb)))
            (local.set $gj (i32.add (local.get $g) (local.get $j)))
            (v128.store align=8 (local.get $gj)
              (f64x2.add (v128.load align=8 (local.get $gj))
                (f64x2.mul (local.get $c0) (v128.load align=8 (i32.add (local.get $a) (local.get $j))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $pairs1)))
        (if (i32.and (local.get $p) (i32.const 1))
          (then
            (local.set $gj (i32.add (local.get $g) (local.get $j)))
            (f64.store (local.get $gj)
              (f64.add (f64.load (local.get $gj))
                (f64.mul (f64x2.extract_lane 0 (local.get $c0))
                  (f64.load (i32.add (local.get $a) (local.get $j))))))))
        (local.set $r (i32.add (local.get $r) (i32.const 8)))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $row)))))
