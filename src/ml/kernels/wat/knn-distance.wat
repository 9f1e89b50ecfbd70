;; The distance kernels behind k nearest neighbours (used by src/ml/kernels/knn-distance.ts and
;; src/ml/models/knn.ts, which keeps the top-k bookkeeping).
;;
;; Each call scans training tiles of 4 rows against one tile of 4 queries (4 x 4 distances, two per f64x2
;; lane pair) and stops at the first tile where some distance is below its query's current k-th best:
;; it writes that tile's 16 distances to $out (query-major) and returns the tile's address; with no such
;; tile it returns $to. Every distance is accumulated feature by feature with IEEE lane arithmetic, so it
;; equals the plain scalar loop's bit for bit.
;;
;; Memory layout (byte addresses given by the caller):
;;   training tiles: 4 rows interleaved by feature, row r's feature j of a tile at x + (4j + r) * 8;
;;   norms:          ‖t‖² per training row, 4 per tile (padding rows: +inf);
;;   query record:   ‖q‖² x 4 @0, the queries' k-th best so far x 4 @32, then the 4 queries interleaved by
;;                   feature @64 (query i's feature j at 64 + (4j + i) * 8).
(module
  (import "env" "memory" (memory 0))

  ;; euclidean(record, x, to, norms, p, out): the dot products q·t of the tile, turned into squared
  ;; distances (‖q‖² + ‖t‖²) − 2 q·t in the plain loop's order.
  (func (export "euclidean")
    (param $record i32)  ;; the query tile's record
    (param $x i32)       ;; the training tile scanned now (byte address, advances)
    (param $to i32)      ;; the address past the last training tile to scan
    (param $norms i32)   ;; ‖t‖² of the current tile's four rows (advances with $x)
    (param $p i32)       ;; features
    (param $out i32)     ;; 16 f64: the hit tile's distances, query-major
    (result i32)
    (local $qp i32)      ;; the record's four query values of feature j
    (local $xp i32)      ;; the tile's four training values of feature j
    (local $j i32)       ;; features left
    ;; q·t of query i against training rows 0, 1 ($di_01) and 2, 3 ($di_23)
    (local $d0_01 v128) (local $d0_23 v128) (local $d1_01 v128) (local $d1_23 v128)
    (local $d2_01 v128) (local $d2_23 v128) (local $d3_01 v128) (local $d3_23 v128)
    (local $rows_01 v128) (local $rows_23 v128)  ;; feature j of training rows 0, 1 and 2, 3
    (local $query v128)  ;; feature j of one query, in both lanes
    (local $hit v128)    ;; lanes where a distance is below its query's k-th best
    (block $done
      (loop $tiles
        (br_if $done (i32.ge_u (local.get $x) (local.get $to)))
        (local.set $d0_01 (v128.const f64x2 0 0)) (local.set $d0_23 (v128.const f64x2 0 0))
        (local.set $d1_01 (v128.const f64x2 0 0)) (local.set $d1_23 (v128.const f64x2 0 0))
        (local.set $d2_01 (v128.const f64x2 0 0)) (local.set $d2_23 (v128.const f64x2 0 0))
        (local.set $d3_01 (v128.const f64x2 0 0)) (local.set $d3_23 (v128.const f64x2 0 0))
        (local.set $qp (i32.add (local.get $record) (i32.const 64)))
        (local.set $xp (local.get $x))
        (local.set $j (local.get $p))
        ;; Feature by feature, so every lane sums its terms in the plain loop's order.
        (loop $features
          (local.set $rows_01 (v128.load (local.get $xp)))
          (local.set $rows_23 (v128.load offset=16 (local.get $xp)))
          (local.set $query (v128.load64_splat (local.get $qp)))
          (local.set $d0_01 (f64x2.add (local.get $d0_01) (f64x2.mul (local.get $query) (local.get $rows_01))))
          (local.set $d0_23 (f64x2.add (local.get $d0_23) (f64x2.mul (local.get $query) (local.get $rows_23))))
          (local.set $query (v128.load64_splat offset=8 (local.get $qp)))
          (local.set $d1_01 (f64x2.add (local.get $d1_01) (f64x2.mul (local.get $query) (local.get $rows_01))))
          (local.set $d1_23 (f64x2.add (local.get $d1_23) (f64x2.mul (local.get $query) (local.get $rows_23))))
          (local.set $query (v128.load64_splat offset=16 (local.get $qp)))
          (local.set $d2_01 (f64x2.add (local.get $d2_01) (f64x2.mul (local.get $query) (local.get $rows_01))))
          (local.set $d2_23 (f64x2.add (local.get $d2_23) (f64x2.mul (local.get $query) (local.get $rows_23))))
          (local.set $query (v128.load64_splat offset=24 (local.get $qp)))
          (local.set $d3_01 (f64x2.add (local.get $d3_01) (f64x2.mul (local.get $query) (local.get $rows_01))))
          (local.set $d3_23 (f64x2.add (local.get $d3_23) (f64x2.mul (local.get $query) (local.get $rows_23))))
          (local.set $qp (i32.add (local.get $qp) (i32.const 32)))
          (local.set $xp (i32.add (local.get $xp) (i32.const 32)))
          (br_if $features (local.tee $j (i32.sub (local.get $j) (i32.const 1)))))
        ;; Each distance, and whether it is below its query's k-th best (record @32 + 8i).
        (local.set $hit (v128.const f64x2 0 0))
        (local.set $d0_01
          (f64x2.sub
            (f64x2.add (v128.load64_splat (local.get $record)) (v128.load (local.get $norms)))
            (f64x2.add (local.get $d0_01) (local.get $d0_01))))
        (local.set $hit (v128.or (local.get $hit)
          (f64x2.lt (local.get $d0_01) (v128.load64_splat offset=32 (local.get $record)))))
        (local.set $d0_23
          (f64x2.sub
            (f64x2.add (v128.load64_splat (local.get $record)) (v128.load offset=16 (local.get $norms)))
            (f64x2.add (local.get $d0_23) (local.get $d0_23))))
        (local.set $hit (v128.or (local.get $hit)
          (f64x2.lt (local.get $d0_23) (v128.load64_splat offset=32 (local.get $record)))))
        (local.set $d1_01
          (f64x2.sub
            (f64x2.add (v128.load64_splat offset=8 (local.get $record)) (v128.load (local.get $norms)))
            (f64x2.add (local.get $d1_01) (local.get $d1_01))))
        (local.set $hit (v128.or (local.get $hit)
          (f64x2.lt (local.get $d1_01) (v128.load64_splat offset=40 (local.get $record)))))
        (local.set $d1_23
          (f64x2.sub
            (f64x2.add (v128.load64_splat offset=8 (local.get $record)) (v128.load offset=16 (local.get $norms)))
            (f64x2.add (local.get $d1_23) (local.get $d1_23))))
        (local.set $hit (v128.or (local.get $hit)
          (f64x2.lt (local.get $d1_23) (v128.load64_splat offset=40 (local.get $record)))))
        (local.set $d2_01
          (f64x2.sub
            (f64x2.add (v128.load64_splat offset=16 (local.get $record)) (v128.load (local.get $norms)))
            (f64x2.add (local.get $d2_01) (local.get $d2_01))))
        (local.set $hit (v128.or (local.get $hit)
          (f64x2.lt (local.get $d2_01) (v128.load64_splat offset=48 (local.get $record)))))
        (local.set $d2_23
          (f64x2.sub
            (f64x2.add (v128.load64_splat offset=16 (local.get $record)) (v128.load offset=16 (local.get $norms)))
            (f64x2.add (local.get $d2_23) (local.get $d2_23))))
        (local.set $hit (v128.or (local.get $hit)
          (f64x2.lt (local.get $d2_23) (v128.load64_splat offset=48 (local.get $record)))))
        (local.set $d3_01
          (f64x2.sub
            (f64x2.add (v128.load64_splat offset=24 (local.get $record)) (v128.load (local.get $norms)))
            (f64x2.add (local.get $d3_01) (local.get $d3_01))))
        (local.set $hit (v128.or (local.get $hit)
          (f64x2.lt (local.get $d3_01) (v128.load64_splat offset=56 (local.get $record)))))
        (local.set $d3_23
          (f64x2.sub
            (f64x2.add (v128.load64_splat offset=24 (local.get $record)) (v128.load offset=16 (local.get $norms)))
            (f64x2.add (local.get $d3_23) (local.get $d3_23))))
        (local.set $hit (v128.or (local.get $hit)
          (f64x2.lt (local.get $d3_23) (v128.load64_splat offset=56 (local.get $record)))))
        ;; A hit: hand the tile's distances to JS, which offers them to the top-k lists.
        (if (v128.any_true (local.get $hit))
          (then
            (v128.store (local.get $out) (local.get $d0_01))
            (v128.store offset=16 (local.get $out) (local.get $d0_23))
            (v128.store offset=32 (local.get $out) (local.get $d1_01))
            (v128.store offset=48 (local.get $out) (local.get $d1_23))
            (v128.store offset=64 (local.get $out) (local.get $d2_01))
            (v128.store offset=80 (local.get $out) (local.get $d2_23))
            (v128.store offset=96 (local.get $out) (local.get $d3_01))
            (v128.store offset=112 (local.get $out) (local.get $d3_23))
            (return (local.get $x))))
        (local.set $x (local.get $xp))
        (local.set $norms (i32.add (local.get $norms) (i32.const 32)))
        (br $tiles)))
    (local.get $to))

  ;; manhattan(record, x, to, norms, p, out): the sums of |q − t| of the tile, term by term.
  (func (export "manhattan")
    (param $record i32)  ;; the query tile's record
    (param $x i32)       ;; the training tile scanned now (byte address, advances)
    (param $to i32)      ;; the address past the last training tile to scan
    (param $norms i32)   ;; ‖t‖² of the current tile's four rows (advances with $x)
    (param $p i32)       ;; features
    (param $out i32)     ;; 16 f64: the hit tile's distances, query-major
    (result i32)
    (local $qp i32)      ;; the record's four query values of feature j
    (local $xp i32)      ;; the tile's four training values of feature j
    (local $j i32)       ;; features left
    ;; |q − t| of query i against training rows 0, 1 ($di_01) and 2, 3 ($di_23)
    (local $d0_01 v128) (local $d0_23 v128) (local $d1_01 v128) (local $d1_23 v128)
    (local $d2_01 v128) (local $d2_23 v128) (local $d3_01 v128) (local $d3_23 v128)
    (local $rows_01 v128) (local $rows_23 v128)  ;; feature j of training rows 0, 1 and 2, 3
    (local $query v128)  ;; feature j of one query, in both lanes
    (local $hit v128)    ;; lanes where a distance is below its query's k-th best
    (block $done
      (loop $tiles
        (br_if $done (i32.ge_u (local.get $x) (local.get $to)))
        (local.set $d0_01 (v128.const f64x2 0 0)) (local.set $d0_23 (v128.const f64x2 0 0))
        (local.set $d1_01 (v128.const f64x2 0 0)) (local.set $d1_23 (v128.const f64x2 0 0))
        (local.set $d2_01 (v128.const f64x2 0 0)) (local.set $d2_23 (v128.const f64x2 0 0))
        (local.set $d3_01 (v128.const f64x2 0 0)) (local.set $d3_23 (v128.const f64x2 0 0))
        (local.set $qp (i32.add (local.get $record) (i32.const 64)))
        (local.set $xp (local.get $x))
        (local.set $j (local.get $p))
        ;; Feature by feature, so every lane sums its terms in the plain loop's order.
        (loop $features
          (local.set $rows_01 (v128.load (local.get $xp)))
          (local.set $rows_23 (v128.load offset=16 (local.get $xp)))
          (local.set $query (v128.load64_splat (local.get $qp)))
          (local.set $d0_01 (f64x2.add (local.get $d0_01) (f64x2.abs (f64x2.sub (local.get $query) (local.get $rows_01)))))
          (local.set $d0_23 (f64x2.add (local.get $d0_23) (f64x2.abs (f64x2.sub (local.get $query) (local.get $rows_23)))))
          (local.set $query (v128.load64_splat offset=8 (local.get $qp)))
          (local.set $d1_01 (f64x2.add (local.get $d1_01) (f64x2.abs (f64x2.sub (local.get $query) (local.get $rows_01)))))
          (local.set $d1_23 (f64x2.add (local.get $d1_23) (f64x2.abs (f64x2.sub (local.get $query) (local.get $rows_23)))))
          (local.set $query (v128.load64_splat offset=16 (local.get $qp)))
          (local.set $d2_01 (f64x2.add (local.get $d2_01) (f64x2.abs (f64x2.sub (local.get $query) (local.get $rows_01)))))
          (local.set $d2_23 (f64x2.add (local.get $d2_23) (f64x2.abs (f64x2.sub (local.get $query) (local.get $rows_23)))))
          (local.set $query (v128.load64_splat offset=24 (local.get $qp)))
          (local.set $d3_01 (f64x2.add (local.get $d3_01) (f64x2.abs (f64x2.sub (local.get $query) (local.get $rows_01)))))
          (local.set $d3_23 (f64x2.add (local.get $d3_23) (f64x2.abs (f64x2.sub (local.get $query) (local.get $rows_23)))))
          (local.set $qp (i32.add (local.get $qp) (i32.const 32)))
          (local.set $xp (i32.add (local.get $xp) (i32.const 32)))
          (br_if $features (local.tee $j (i32.sub (local.get $j) (i32.const 1)))))
        ;; Whether a distance is below its query's k-th best (record @32 + 8i).
        (local.set $hit (v128.const f64x2 0 0))
        (local.set $hit (v128.or (local.get $hit)
          (f64x2.lt (local.get $d0_01) (v128.load64_splat offset=32 (local.get $record)))))
        (local.set $hit (v128.or (local.get $hit)
          (f64x2.lt (local.get $d0_23) (v128.load64_splat offset=32 (local.get $record)))))
        (local.set $hit (v128.or (local.get $hit)
          (f64x2.lt (local.get $d1_01) (v128.load64_splat offset=40 (local.get $record)))))
        (local.set $hit (v128.or (local.get $hit)
          (f64x2.lt (local.get $d1_23) (v128.load64_splat offset=40 (local.get $record)))))
        (local.set $hit (v128.or (local.get $hit)
          (f64x2.lt (local.get $d2_01) (v128.load64_splat offset=48 (local.get $record)))))
        (local.set $hit (v128.or (local.get $hit)
          (f64x2.lt (local.get $d2_23) (v128.load64_splat offset=48 (local.get $record)))))
        (local.set $hit (v128.or (local.get $hit)
          (f64x2.lt (local.get $d3_01) (v128.load64_splat offset=56 (local.get $record)))))
        (local.set $hit (v128.or (local.get $hit)
          (f64x2.lt (local.get $d3_23) (v128.load64_splat offset=56 (local.get $record)))))
        ;; A hit: hand the tile's distances to JS, which offers them to the top-k lists.
        (if (v128.any_true (local.get $hit))
          (then
            (v128.store (local.get $out) (local.get $d0_01))
            (v128.store offset=16 (local.get $out) (local.get $d0_23))
            (v128.store offset=32 (local.get $out) (local.get $d1_01))
            (v128.store offset=48 (local.get $out) (local.get $d1_23))
            (v128.store offset=64 (local.get $out) (local.get $d2_01))
            (v128.store offset=80 (local.get $out) (local.get $d2_23))
            (v128.store offset=96 (local.get $out) (local.get $d3_01))
            (v128.store offset=112 (local.get $out) (local.get $d3_23))
            (return (local.get $x))))
        (local.set $x (local.get $xp))
        (local.set $norms (i32.add (local.get $norms) (i32.const 32)))
        (br $tiles)))
    (local.get $to)))
