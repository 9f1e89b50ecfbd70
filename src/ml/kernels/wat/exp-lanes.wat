;; e^x two lanes at a time, bit for bit V8's Math.exp (used by src/ml/kernels/exp-lanes.ts).
;;
;; V8's Math.exp is fdlibm's __ieee754_exp (src/base/ieee754.cc), called as a C function per value. This is
;; the same algorithm with its branches turned into lane selects, so every lane gets the same operations on
;; the same doubles and the same result (WebAssembly never fuses a multiply and an add):
;;   k = 0 for |x| < ln2/2, ±1 below 1.5 ln2, else trunc(x/ln2 ± 1/2);
;;   hi = x − k·ln2hi, lo = k·ln2lo, r = hi − lo, c = r − r²·P(r²), y = 1 − ((lo − r·c/(2 − c)) − hi);
;;   e^x = y · 2^k (fdlibm's k = 0 formula 1 − (r·c/(c − 2) − r) is this one with lo = 0, exactly);
;;   |x| < 2^−28 gives 1 + x, and x = 1 gives the correctly rounded e (V8's own special case).
;; Lanes with |x| ≥ 707 or NaN (overflow, underflow, k outside the normal exponents) are counted and left
;; for the caller, which takes Math.exp for them.
;;
;; Memory: f64 inputs at [$x, $end), an even count; results at $out (may equal $x).
(module
  (import "env" "memory" (memory 1))

  ;; exp(x, end, out) -> lanes left to the caller.
  (func (export "exp") (param $x i32) (param $end i32) (param $out i32) (result i32)
    (local $v v128) (local $ax v128) (local $k v128) (local $hi v128) (local $lo v128) (local $r v128)
    (local $t v128) (local $c v128) (local $y v128) (local $twopk v128) (local $half v128)
    (local $left v128)
    (local.set $left (v128.const i64x2 0 0))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
        (local.set $v (v128.load (local.get $x)))
        (local.set $ax (f64x2.abs (local.get $v)))
        ;; ±0.5 with x's sign (fdlibm's halF[xsb]).
        (local.set $half
          (v128.or (v128.and (local.get $v) (v128.const i64x2 0x8000000000000000 0x8000000000000000))
            (v128.const f64x2 0.5 0.5)))
        ;; k: 0 below ln2/2 (high word ≤ 0x3FD62E42), x's sign below 1.5 ln2 (high word < 0x3FF0A2B2).
        (local.set $k
          (v128.bitselect
            (v128.const f64x2 0 0)
            (v128.bitselect
              (v128.or (v128.and (local.get $v) (v128.const i64x2 0x8000000000000000 0x8000000000000000))
                (v128.const f64x2 1 1))
              (f64x2.trunc
                (f64x2.add
                  (f64x2.mul (local.get $v) (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00))
                  (local.get $half)))
              (f64x2.lt (local.get $ax) (v128.const i64x2 0x3FF0A2B200000000 0x3FF0A2B200000000)))
            (f64x2.lt (local.get $ax) (v128.const i64x2 0x3FD62E4300000000 0x3FD62E4300000000))))
        (local.set $hi
          (f64x2.sub (local.get $v)
            (f64x2.mul (local.get $k) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))))
        (local.set $lo
          (f64x2.mul (local.get $k) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)))
        (local.set $r (f64x2.sub (local.get $hi) (local.get $lo)))
        (local.set $t (f64x2.mul (local.get $r) (local.get $r)))
        ;; c = r − t·(P1 + t·(P2 + t·(P3 + t·(P4 + t·P5)))).
        (local.set $c
          (f64x2.sub (local.get $r)
            (f64x2.mul (local.get $t)
              (f64x2.add (v128.const f64x2 1.66666666666666019037e-01 1.66666666666666019037e-01)
                (f64x2.mul (local.get $t)
                  (f64x2.add (v128.const f64x2 -2.77777777770155933842e-03 -2.77777777770155933842e-03)
                    (f64x2.mul (local.get $t)
                      (f64x2.add (v128.const f64x2 6.61375632143793436117e-05 6.61375632143793436117e-05)
                        (f64x2.mul (local.get $t)
                          (f64x2.add (v128.const f64x2 -1.65339022054652515390e-06 -1.65339022054652515390e-06)
                            (f64x2.mul (local.get $t)
                              (v128.const f64x2 4.13813679705723846039e-08 4.13813679705723846039e-08))))))))))))
        ;; y = 1 − ((lo − r·c/(2 − c)) − hi).
        (local.set $y
          (f64x2.sub (v128.const f64x2 1 1)
            (f64x2.sub
              (f64x2.sub (local.get $lo)
                (f64x2.div (f64x2.mul (local.get $r) (local.get $c))
                  (f64x2.sub (v128.const f64x2 2 2) (local.get $c))))
              (local.get $hi))))
        ;; 2^k from its exponent bits: (k + 1023) << 52.
        (local.set $twopk
          (i64x2.shl
            (i64x2.add
              (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $k)))
              (v128.const i64x2 1023 1023))
            (i32.const 52)))
        (local.set $y (f64x2.mul (local.get $y) (local.get $twopk)))
        ;; |x| < 2^−28 (high word < 0x3E300000): 1 + x; x = 1: e.
        (local.set $y
          (v128.bitselect
            (f64x2.add (v128.const f64x2 1 1) (local.get $v))
            (local.get $y)
            (f64x2.lt (local.get $ax) (v128.const i64x2 0x3E30000000000000 0x3E30000000000000))))
        (local.set $y
          (v128.bitselect
            (v128.const f64x2 2.718281828459045 2.718281828459045)
            (local.get $y)
            (f64x2.eq (local.get $v) (v128.const f64x2 1 1))))
        (v128.store (local.get $out) (local.get $y))
        ;; Lanes left to the caller: −1 each where not |x| < 707 (NaN included).
        (local.set $left
          (i64x2.sub (local.get $left)
            (v128.not (f64x2.lt (local.get $ax) (v128.const f64x2 707 707)))))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (local.set $out (i32.add (local.get $out) (i32.const 16)))
        (br $pairs)))
    (i32.wrap_i64
      (i64.add (i64x2.extract_lane 0 (local.get $left)) (i64x2.extract_lane 1 (local.get $left))))))
