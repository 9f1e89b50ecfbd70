;; The CSV fast path's inner loop (used by src/ml/io/csv-bytes.ts): plain rows of a window of the file's
;; bytes, parsed into column slots. A number column's field becomes its f64 value (an empty field NaN), a
;; text column's field its [start, end) byte offsets (two i32 in the slot), for the caller to look up in its
;; dictionary (trimmed of spaces and tabs, with their FNV-1a hash at $hashes + (j·$R + r)·4). The numbers are the arithmetic of parseNumberField (src/ml/io/number-bytes.ts), step for
;; step, so every value equals Number(text): Clinger's fast path up to 15 significant digits, the same
;; double-double product up to 19, and |exponent| ≤ 22.
;;
;; The kernel stops before the first row it does not take, and the caller reads that row the general way:
;; a quote at the start of a field, a blank or space-led line, a number it does not parse (spaces, missing
;; value words, more than 19 significant digits, a long exponent, a value near a rounding midpoint), a
;; wrong field count, a cell longer than the limit, or a row that runs past the window (unless the window
;; ends the file).
;;
;; Memory (byte addresses): 0..183 powers of ten 10^0..10^22 (written by the caller); 192 the window offset where parsing stopped (written here); the kinds (i32 per column, 1 = number), then each column's table address, the window and the slots
;; where the caller puts them. Slot (column j, row r) is at $out + (j·$R + r)·8.
;;
;; Each text column has a table of values its dictionary has seen, filled by the caller: open addressing by
;; hash with linear probing ($tableMask + 1 entries of 32 bytes: hash, code, length, up to 20 bytes of the
;; value; an empty entry has length −1; at most half full). A cell found there gets the code in its slot as
;; (−1, code), so a repeated categorical costs the caller no dictionary lookup.
(module
  (import "env" "memory" (memory 0))

  (func (export "rows")
    (param $win i32) (param $pos i32) (param $to i32) (param $atEnd i32)
    (param $kinds i32) (param $p i32) (param $delim i32)
    (param $out i32) (param $R i32) (param $max i32) (param $maxCell i32) (param $hashes i32)
    (param $tableMask i32)
    (result i32)
    (local $n i32) (local $j i32) (local $i i32) (local $slot i32) (local $c i32) (local $start i32)
    (local $s i32) (local $e i32) (local $h i32) (local $k i32)
    (local $colBytes i32)
    (local.set $colBytes (i32.shl (local.get $R) (i32.const 3)))
    (block $stop
      (loop $row
        (br_if $stop (i32.ge_u (local.get $n) (local.get $max)))
        (br_if $stop (i32.ge_u (local.get $pos) (local.get $to)))
        ;; Blank and space-led lines are the caller's (it skips blank lines).
        (local.set $c (i32.load8_u (i32.add (local.get $win) (local.get $pos))))
        (br_if $stop (i32.or (i32.or (i32.eq (local.get $c) (i32.const 10)) (i32.eq (local.get $c) (i32.const 13)))
          (i32.or (i32.eq (local.get $c) (i32.const 32)) (i32.eq (local.get $c) (i32.const 9)))))
        (local.set $i (local.get $pos))
        (local.set $j (i32.const 0))
        (local.set $slot (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 3))))
        (loop $field
          (local.set $start (local.get $i))
          (if (i32.load (i32.add (local.get $kinds) (i32.shl (local.get $j) (i32.const 2))))
            (then
              (local.set $i
                (call $number (local.get $win) (local.get $i) (local.get $to) (local.get $delim) (local.get $slot)))
              (br_if $stop (i32.lt_s (local.get $i) (i32.const 0))))
            (else
              (if (i32.lt_u (local.get $i) (local.get $to))
                (then
                  (br_if $stop
                    (i32.eq (i32.load8_u (i32.add (local.get $win) (local.get $i))) (i32.const 34)))))
              (block $text_done
                (loop $text
                  (br_if $text_done (i32.ge_u (local.get $i) (local.get $to)))
                  (local.set $c (i32.load8_u (i32.add (local.get $win) (local.get $i))))
                  (br_if $text_done (i32.eq (local.get $c) (local.get $delim)))
                  (br_if $text_done (i32.eq (local.get $c) (i32.const 10)))
                  (br_if $text_done (i32.eq (local.get $c) (i32.const 13)))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br $text)))
              ;; The text without spaces and tabs around it, and its FNV-1a hash (ByteDictionary.codeOf's).
              (local.set $s (local.get $start))
              (local.set $e (local.get $i))
              (block $lead_done
                (loop $lead
                  (br_if $lead_done (i32.ge_u (local.get $s) (local.get $e)))
                  (local.set $c (i32.load8_u (i32.add (local.get $win) (local.get $s))))
                  (br_if $lead_done (i32.and (i32.ne (local.get $c) (i32.const 32)) (i32.ne (local.get $c) (i32.const 9))))
                  (local.set $s (i32.add (local.get $s) (i32.const 1)))
                  (br $lead)))
              (block $trail_done
                (loop $trail
                  (br_if $trail_done (i32.le_u (local.get $e) (local.get $s)))
                  (local.set $c (i32.load8_u (i32.add (local.get $win) (i32.sub (local.get $e) (i32.const 1)))))
                  (br_if $trail_done (i32.and (i32.ne (local.get $c) (i32.const 32)) (i32.ne (local.get $c) (i32.const 9))))
                  (local.set $e (i32.sub (local.get $e) (i32.const 1)))
                  (br $trail)))
              (i32.store (local.get $slot) (local.get $s))
              (i32.store offset=4 (local.get $slot) (local.get $e))
              (local.set $h (i32.const 0x811c9dc5))
              (local.set $k (local.get $s))
              (block $hash_done
                (loop $hash
                  (br_if $hash_done (i32.ge_u (local.get $k) (local.get $e)))
                  (local.set $h (i32.mul (i32.xor (local.get $h) (i32.load8_u (i32.add (local.get $win) (local.get $k))))
                    (i32.const 0x01000193)))
                  (local.set $k (i32.add (local.get $k) (i32.const 1)))
                  (br $hash)))
              (i32.store (i32.add (local.get $hashes) (i32.shr_u (i32.sub (local.get $slot) (local.get $out)) (i32.const 1)))
                (local.get $h))
              ;; A value in the column's table becomes its code: the slot holds (−1, code) instead.
              (local.set $k (call $lookup
                (i32.load (i32.add (local.get $kinds) (i32.shl (i32.add (local.get $p) (local.get $j)) (i32.const 2))))
                (local.get $tableMask) (local.get $h) (i32.add (local.get $win) (local.get $s))
                (i32.sub (local.get $e) (local.get $s))))
              (if (i32.ge_s (local.get $k) (i32.const 0))
                (then
                  (i32.store (local.get $slot) (i32.const -1))
                  (i32.store offset=4 (local.get $slot) (local.get $k))))))
          (br_if $stop (i32.gt_u (i32.sub (local.get $i) (local.get $start)) (local.get $maxCell)))
          ;; A field that reaches the window's end may go on past it.
          (if (i32.ge_u (local.get $i) (local.get $to))
            (then (br_if $stop (i32.eqz (local.get $atEnd)))))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (if (i32.lt_u (local.get $j) (local.get $p))
            (then
              (br_if $stop (i32.ge_u (local.get $i) (local.get $to)))
              (br_if $stop (i32.ne (i32.load8_u (i32.add (local.get $win) (local.get $i))) (local.get $delim)))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (local.set $slot (i32.add (local.get $slot) (local.get $colBytes)))
              (br $field))))
        ;; The record's end: LF, CR, CR LF, or the end of the file.
        (if (i32.lt_u (local.get $i) (local.get $to))
          (then
            (local.set $c (i32.load8_u (i32.add (local.get $win) (local.get $i))))
            (if (i32.eq (local.get $c) (i32.const 13))
              (then
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (if (i32.lt_u (local.get $i) (local.get $to))
                  (then
                    (if (i32.eq (i32.load8_u (i32.add (local.get $win) (local.get $i))) (i32.const 10))
                      (then (local.set $i (i32.add (local.get $i) (i32.const 1))))))
                  ;; A CR at the window's end may have its LF in the next window.
                  (else (br_if $stop (i32.eqz (local.get $atEnd))))))
              (else
                (br_if $stop (i32.ne (local.get $c) (i32.const 10)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))))))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (local.set $pos (local.get $i))
        (br $row)))
    (i32.store (i32.const 192) (local.get $pos))
    (local.get $n))

  ;; One number field from $i: its value into the slot, and the offset after it; −1 when declined.
  (func $number (param $win i32) (param $i i32) (param $len i32) (param $delim i32) (param $slot i32)
    (result i32)
    (local $start i32) (local $negative i32) (local $c i32) (local $d i32)
    (local $digits i32) (local $significant i32)
    (local $scale i32) (local $exponent i32) (local $expNegative i32) (local $from i32) (local $e i32)
    (local $v f64) (local $high f64)
    (local.set $start (local.get $i))
    (if (i32.lt_u (local.get $i) (local.get $len))
      (then
        (local.set $c (i32.load8_u (i32.add (local.get $win) (local.get $i))))
        (if (i32.or (i32.eq (local.get $c) (i32.const 45)) (i32.eq (local.get $c) (i32.const 43)))
          (then
            (local.set $negative (i32.eq (local.get $c) (i32.const 45)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))))))
    ;; An empty field is missing (NaN); a lone sign is declined.
    (if (call $fieldEnds (local.get $win) (local.get $i) (local.get $len) (local.get $delim))
      (then
        (if (i32.ne (local.get $i) (local.get $start)) (then (return (i32.const -1))))
        (f64.store (local.get $slot) (f64.const nan))
        (return (local.get $i))))
    ;; Leading zeros carry no significance.
    (block $zeros_done
      (loop $zeros
        (br_if $zeros_done (i32.ge_u (local.get $i) (local.get $len)))
        (br_if $zeros_done (i32.ne (i32.load8_u (i32.add (local.get $win) (local.get $i))) (i32.const 48)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
        (br $zeros)))
    (global.set $m (i64.const 0))
    (global.set $significant (i32.const 0))
    (local.set $i (call $run (local.get $win) (local.get $i) (local.get $len)))
    (if (i32.lt_s (local.get $i) (i32.const 0)) (then (return (i32.const -1))))
    (local.set $digits (i32.add (local.get $digits) (global.get $significant)))
    (if (i32.lt_u (local.get $i) (local.get $len))
      (then
        (if (i32.eq (i32.load8_u (i32.add (local.get $win) (local.get $i))) (i32.const 46))
          (then
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (if (i32.eqz (global.get $significant))
              (then
                (block $fz_done
                  (loop $fz
                    (br_if $fz_done (i32.ge_u (local.get $i) (local.get $len)))
                    (br_if $fz_done
                      (i32.ne (i32.load8_u (i32.add (local.get $win) (local.get $i))) (i32.const 48)))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))
                    (local.set $digits (i32.add (local.get $digits) (i32.const 1)))
                    (local.set $scale (i32.sub (local.get $scale) (i32.const 1)))
                    (br $fz)))))
            (local.set $significant (global.get $significant))
            (local.set $i (call $run (local.get $win) (local.get $i) (local.get $len)))
            (if (i32.lt_s (local.get $i) (i32.const 0)) (then (return (i32.const -1))))
            (local.set $d (i32.sub (global.get $significant) (local.get $significant)))
            (local.set $digits (i32.add (local.get $digits) (local.get $d)))
            (local.set $scale (i32.sub (local.get $scale) (local.get $d)))))))
    (local.set $significant (global.get $significant))
    (if (i32.eqz (local.get $digits)) (then (return (i32.const -1))))
    (if (i32.lt_u (local.get $i) (local.get $len))
      (then
        (local.set $c (i32.load8_u (i32.add (local.get $win) (local.get $i))))
        (if (i32.or (i32.eq (local.get $c) (i32.const 101)) (i32.eq (local.get $c) (i32.const 69)))
          (then
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (if (i32.lt_u (local.get $i) (local.get $len))
              (then
                (local.set $c (i32.load8_u (i32.add (local.get $win) (local.get $i))))
                (if (i32.or (i32.eq (local.get $c) (i32.const 45)) (i32.eq (local.get $c) (i32.const 43)))
                  (then
                    (local.set $expNegative (i32.eq (local.get $c) (i32.const 45)))
                    (local.set $i (i32.add (local.get $i) (i32.const 1)))))))
            (local.set $from (local.get $i))
            (block $exp_done
              (loop $exp
                (br_if $exp_done (i32.ge_u (local.get $i) (local.get $len)))
                (br_if $exp_done (i32.ge_u (i32.sub (local.get $i) (local.get $from)) (i32.const 3)))
                (local.set $d (i32.sub (i32.load8_u (i32.add (local.get $win) (local.get $i))) (i32.const 48)))
                (br_if $exp_done (i32.gt_u (local.get $d) (i32.const 9)))
                (local.set $exponent (i32.add (i32.mul (local.get $exponent) (i32.const 10)) (local.get $d)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $exp)))
            (if (i32.eq (local.get $i) (local.get $from)) (then (return (i32.const -1))))
            (if (local.get $expNegative)
              (then (local.set $exponent (i32.sub (i32.const 0) (local.get $exponent)))))))))
    (if (i32.eqz (call $fieldEnds (local.get $win) (local.get $i) (local.get $len) (local.get $delim)))
      (then (return (i32.const -1))))
    (local.set $e (i32.add (local.get $scale) (local.get $exponent)))
    (if (i32.or (i32.lt_s (local.get $e) (i32.const -22)) (i32.gt_s (local.get $e) (i32.const 22)))
      (then (return (i32.const -1))))
    ;; A mantissa up to 2^53 is exact in a double, and then one product or quotient with 10^|e| is correctly
    ;; rounded (Clinger). parseNumberField takes this path up to 15 digits and the double-double one above;
    ;; both give the correctly rounded value (or decline), so the value is the same.
    (if (i64.le_u (global.get $m) (i64.const 9007199254740992))
      (then
        (local.set $high (f64.convert_i64_u (global.get $m)))
        (if (i32.lt_s (local.get $e) (i32.const 0))
          (then (local.set $v (f64.div (local.get $high) (call $pow10 (i32.sub (i32.const 0) (local.get $e))))))
          (else (local.set $v (f64.mul (local.get $high) (call $pow10 (local.get $e)))))))
      (else (local.set $v (call $doubleDouble (global.get $m) (local.get $e)))))
    (if (f64.ne (local.get $v) (local.get $v)) (then (return (i32.const -1))))
    (if (local.get $negative) (then (local.set $v (f64.neg (local.get $v)))))
    (f64.store (local.get $slot) (local.get $v))
    (local.get $i))

  ;; The mantissa's digits so far (at most 19, so it fits an unsigned i64) and how many.
  (global $m (mut i64) (i64.const 0))
  (global $significant (mut i32) (i32.const 0))

  ;; A run of digits from $i into m (eight at a time where it can, as simdjson does); the offset after the
  ;; run, or −1 past 19 significant digits (declined, as parseNumberField declines them).
  (func $run (param $win i32) (param $i i32) (param $len i32) (result i32)
    (local $m i64) (local $sig i32) (local $w i64) (local $d i32)
    (local.set $m (global.get $m))
    (local.set $sig (global.get $significant))
    (block $done
      (loop $digit
        (if (i32.and (i32.le_u (i32.add (local.get $i) (i32.const 8)) (local.get $len))
              (i32.le_u (local.get $sig) (i32.const 11)))
          (then
            (local.set $w (i64.load (i32.add (local.get $win) (local.get $i))))
            (if (i64.eq
                  (i64.or (i64.and (local.get $w) (i64.const 0xF0F0F0F0F0F0F0F0))
                    (i64.shr_u
                      (i64.and (i64.add (local.get $w) (i64.const 0x0606060606060606)) (i64.const 0xF0F0F0F0F0F0F0F0))
                      (i64.const 4)))
                  (i64.const 0x3333333333333333))
              (then
                (local.set $w (i64.sub (local.get $w) (i64.const 0x3030303030303030)))
                (local.set $w (i64.add (i64.mul (local.get $w) (i64.const 10)) (i64.shr_u (local.get $w) (i64.const 8))))
                (local.set $w
                  (i64.shr_u
                    (i64.add
                      (i64.mul (i64.and (local.get $w) (i64.const 0x000000FF000000FF)) (i64.const 0x000F424000000064))
                      (i64.mul (i64.and (i64.shr_u (local.get $w) (i64.const 16)) (i64.const 0x000000FF000000FF))
                        (i64.const 0x0000271000000001)))
                    (i64.const 32)))
                (local.set $m (i64.add (i64.mul (local.get $m) (i64.const 100000000)) (local.get $w)))
                (local.set $sig (i32.add (local.get $sig) (i32.const 8)))
                (local.set $i (i32.add (local.get $i) (i32.const 8)))
                (br $digit)))))
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $d (i32.sub (i32.load8_u (i32.add (local.get $win) (local.get $i))) (i32.const 48)))
        (br_if $done (i32.gt_u (local.get $d) (i32.const 9)))
        (if (i32.ge_u (local.get $sig) (i32.const 19)) (then (return (i32.const -1))))
        (local.set $m (i64.add (i64.mul (local.get $m) (i64.const 10)) (i64.extend_i32_u (local.get $d))))
        (local.set $sig (i32.add (local.get $sig) (i32.const 1)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $digit)))
    (global.set $m (local.get $m))
    (global.set $significant (local.get $sig))
    (local.get $i))

  ;; Whether offset $i ends a field: the window's end, the delimiter, LF or CR.
  (func $fieldEnds (param $win i32) (param $i i32) (param $len i32) (param $delim i32) (result i32)
    (local $c i32)
    (if (i32.ge_u (local.get $i) (local.get $len)) (then (return (i32.const 1))))
    (local.set $c (i32.load8_u (i32.add (local.get $win) (local.get $i))))
    (i32.or (i32.eq (local.get $c) (local.get $delim))
      (i32.or (i32.eq (local.get $c) (i32.const 10)) (i32.eq (local.get $c) (i32.const 13)))))

;; The code of the $len bytes at $at (hash $h) in the table at $table, or −1 when they are not there.
  (func $lookup (param $table i32) (param $mask i32) (param $h i32) (param $at i32) (param $len i32) (result i32)
    (local $i i32) (local $entry i32)
    (local.set $i (i32.and (local.get $h) (local.get $mask)))
    (loop $probe
      (local.set $entry (i32.add (local.get $table) (i32.shl (local.get $i) (i32.const 5))))
      (if (i32.lt_s (i32.load offset=8 (local.get $entry)) (i32.const 0)) (then (return (i32.const -1))))
      (if (i32.and (i32.eq (i32.load (local.get $entry)) (local.get $h))
            (i32.eq (i32.load offset=8 (local.get $entry)) (local.get $len)))
        (then
          (if (call $same (local.get $at) (i32.add (local.get $entry) (i32.const 12)) (local.get $len))
            (then (return (i32.load offset=4 (local.get $entry)))))))
      (local.set $i (i32.and (i32.add (local.get $i) (i32.const 1)) (local.get $mask)))
      (br $probe))
    (i32.const -1))

  ;; Whether the $len bytes at $a and at $b are the same.
  (func $same (param $a i32) (param $b i32) (param $len i32) (result i32)
    (local $k i32)
    (block $differ
      (loop $byte
        (if (i32.ge_u (local.get $k) (local.get $len)) (then (return (i32.const 1))))
        (br_if $differ (i32.ne (i32.load8_u (i32.add (local.get $a) (local.get $k)))
          (i32.load8_u (i32.add (local.get $b) (local.get $k)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $byte)))
    (i32.const 0))

  (func $pow10 (param $e i32) (result f64)
    (f64.load (i32.shl (local.get $e) (i32.const 3))))

  ;; The nearest double to m·10^e, or NaN when too close to a rounding midpoint to be sure. m = mh + ml
  ;; exactly (mh the nearest double to m): the same pair parseNumberField's double-double sum of high·10^k and
  ;; low comes to, since every step of that sum is exact. Then its product (Dekker's, inlined) or quotient
  ;; with 10^|e|, step for step as there.
  (func $doubleDouble (param $m i64) (param $e i32) (result f64)
    (local $mh f64) (local $ml f64) (local $P f64) (local $h f64) (local $l f64) (local $p f64)
    (local $t f64) (local $ah f64) (local $al f64) (local $bh f64) (local $bl f64) (local $error f64)
    (local $x f64) (local $rest f64)
    (local.set $mh (f64.convert_i64_u (local.get $m)))
    (local.set $ml (f64.convert_i64_s (i64.sub (local.get $m) (i64.trunc_f64_u (local.get $mh)))))
    (local.set $P (call $pow10 (select (local.get $e) (i32.sub (i32.const 0) (local.get $e))
      (i32.ge_s (local.get $e) (i32.const 0)))))
    ;; a·b = p + error exactly, for a = mh (e ≥ 0) or h = mh / P (e < 0), and b = P.
    (if (i32.ge_s (local.get $e) (i32.const 0))
      (then (local.set $h (local.get $mh)))
      (else (local.set $h (f64.div (local.get $mh) (local.get $P)))))
    (local.set $p (f64.mul (local.get $h) (local.get $P)))
    (local.set $t (f64.mul (f64.const 134217729) (local.get $h)))
    (local.set $ah (f64.sub (local.get $t) (f64.sub (local.get $t) (local.get $h))))
    (local.set $al (f64.sub (local.get $h) (local.get $ah)))
    (local.set $t (f64.mul (f64.const 134217729) (local.get $P)))
    (local.set $bh (f64.sub (local.get $t) (f64.sub (local.get $t) (local.get $P))))
    (local.set $bl (f64.sub (local.get $P) (local.get $bh)))
    (local.set $error
      (f64.add
        (f64.add
          (f64.add
            (f64.sub (f64.mul (local.get $ah) (local.get $bh)) (local.get $p))
            (f64.mul (local.get $ah) (local.get $bl)))
          (f64.mul (local.get $al) (local.get $bh)))
        (f64.mul (local.get $al) (local.get $bl))))
    (if (i32.ge_s (local.get $e) (i32.const 0))
      (then
        (local.set $h (local.get $p))
        (local.set $l (f64.add (local.get $error) (f64.mul (local.get $ml) (local.get $P)))))
      (else
        (local.set $l
          (f64.div
            (f64.add (f64.sub (f64.sub (local.get $mh) (local.get $p)) (local.get $error)) (local.get $ml))
            (local.get $P)))))
    (local.set $x (f64.add (local.get $h) (local.get $l)))
    (local.set $rest (f64.sub (local.get $l) (f64.sub (local.get $x) (local.get $h))))
    (if (f64.le (f64.abs (f64.sub (f64.abs (local.get $rest)) (call $halfUlp (local.get $x))))
          (f64.mul (f64.abs (local.get $x)) (f64.const 0x1p-100)))
      (then (return (f64.const nan))))
    (local.get $x))

  ;; Half the gap from |x| to the next larger double (normal numbers; 2^-1075, which is 0, below).
  (func $halfUlp (param $x f64) (result f64)
    (local $biased i64)
    (local.set $biased
      (i64.and (i64.shr_u (i64.reinterpret_f64 (local.get $x)) (i64.const 52)) (i64.const 0x7ff)))
    (if (i64.le_u (local.get $biased) (i64.const 54)) (then (return (f64.const 0))))
    (f64.reinterpret_i64 (i64.shl (i64.sub (local.get $biased) (i64.const 53)) (i64.const 52))))
)
