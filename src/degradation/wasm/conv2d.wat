;; 2-D cross-correlation of one float32 plane with a list of paired taps, 16 output pixels per step
;; (four f32x4 accumulators kept in registers). Source of conv2d-wasm.ts; assemble with
;; `node tools/build-degrade-wasm.mjs`.
;;
;; out[y][x] = Σ_t w[t] · (P[base(y,x) + o1[t]] + P[base(y,x) + o2[t]]),  base(y,x) = P + 4·(y·ps + x)
;; P: padded plane (row stride ps floats, ≥ 16 floats of slack after the last row);
;; out: row stride os floats (a multiple of 16); o1, o2: byte offsets (i32); w: one f32x4 splat per tap.
(module
  (memory (export "memory") 1)
  (func (export "conv_pairs")
    (param $P i32) (param $ps i32) (param $out i32) (param $os i32) (param $w i32) (param $h i32)
    (param $o1 i32) (param $o2 i32) (param $wt i32) (param $n i32)
    (local $y i32) (local $xb i32) (local $t i32) (local $row i32) (local $drow i32)
    (local $base i32) (local $d i32) (local $a1 i32) (local $a2 i32)
    (local $acc0 v128) (local $acc1 v128) (local $acc2 v128) (local $acc3 v128) (local $wv v128)
    (local.set $y (i32.const 0))
    (block $yend (loop $yloop
      (br_if $yend (i32.ge_u (local.get $y) (local.get $h)))
      (local.set $row (i32.add (local.get $P) (i32.shl (i32.mul (local.get $y) (local.get $ps)) (i32.const 2))))
      (local.set $drow (i32.add (local.get $out) (i32.shl (i32.mul (local.get $y) (local.get $os)) (i32.const 2))))
      (local.set $xb (i32.const 0))
      (block $xend (loop $xloop
        (br_if $xend (i32.ge_u (local.get $xb) (local.get $w)))
        (local.set $base (i32.add (local.get $row) (i32.shl (local.get $xb) (i32.const 2))))
        (local.set $d (i32.add (local.get $drow) (i32.shl (local.get $xb) (i32.const 2))))
        (local.set $acc0 (v128.const f32x4 0 0 0 0))
        (local.set $acc1 (v128.const f32x4 0 0 0 0))
        (local.set $acc2 (v128.const f32x4 0 0 0 0))
        (local.set $acc3 (v128.const f32x4 0 0 0 0))
        (local.set $t (i32.const 0))
        (block $tend (loop $tloop
          (br_if $tend (i32.ge_u (local.get $t) (local.get $n)))
          (local.set $a1 (i32.add (local.get $base) (i32.load (i32.add (local.get $o1) (i32.shl (local.get $t) (i32.const 2))))))
          (local.set $a2 (i32.add (local.get $base) (i32.load (i32.add (local.get $o2) (i32.shl (local.get $t) (i32.const 2))))))
          (local.set $wv (v128.load (i32.add (local.get $wt) (i32.shl (local.get $t) (i32.const 4)))))
          (local.set $acc0 (f32x4.add (local.get $acc0) (f32x4.mul (local.get $wv)
            (f32x4.add (v128.load offset=0 (local.get $a1)) (v128.load offset=0 (local.get $a2))))))
          (local.set $acc1 (f32x4.add (local.get $acc1) (f32x4.mul (local.get $wv)
            (f32x4.add (v128.load offset=16 (local.get $a1)) (v128.load offset=16 (local.get $a2))))))
          (local.set $acc2 (f32x4.add (local.get $acc2) (f32x4.mul (local.get $wv)
            (f32x4.add (v128.load offset=32 (local.get $a1)) (v128.load offset=32 (local.get $a2))))))
          (local.set $acc3 (f32x4.add (local.get $acc3) (f32x4.mul (local.get $wv)
            (f32x4.add (v128.load offset=48 (local.get $a1)) (v128.load offset=48 (local.get $a2))))))
          (local.set $t (i32.add (local.get $t) (i32.const 1)))
          (br $tloop)))
        (v128.store offset=0 (local.get $d) (local.get $acc0))
        (v128.store offset=16 (local.get $d) (local.get $acc1))
        (v128.store offset=32 (local.get $d) (local.get $acc2))
        (v128.store offset=48 (local.get $d) (local.get $acc3))
        (local.set $xb (i32.add (local.get $xb) (i32.const 16)))
        (br $xloop)))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br $yloop)))))
