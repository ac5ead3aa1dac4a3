#!/usr/bin/env bash
# Checks qcompile's assembly of an int8 model: the int8 dot-product
# instruction is used, and no basic block that does dot products contains a
# float instruction (dequantization belongs in the epilogue, not the inner
# loop). Usage: check-dot-loops.sh QCOMPILE MODEL.onnx CPU DOT_INSN
set -euo pipefail
qcompile=$1 model=$2 cpu=$3 dot=$4
asm=$(mktemp --suffix=.s)
trap 'rm -f "$asm"' EXIT
"$qcompile" "$model" --emit=asm --target-cpu="$cpu" -o "$asm"
awk -v dot="$dot" '
  # A label starts a basic block.
  /^[^ \t#][^ \t]*:/ { flush(); label = $1; next }
  /^[ \t]+v?[a-z]/ { body = body "\n" $0; if ($1 == dot) hasDot = 1
                     if ($1 ~ /^v?(cvtdq2ps|cvtps2dq|mulps|addps|subps|divps|maxps|minps|fmadd[0-9]*ps|roundps|rndscaleps)$/) hasFloat = 1 }
  function flush() {
    if (hasDot) { dotBlocks++; if (hasFloat) { bad++; print "float op in a dot-product block " label ":" body } }
    body = ""; hasDot = 0; hasFloat = 0
  }
  END { flush()
        if (dotBlocks == 0) { print "no " dot " in the generated code"; exit 1 }
        if (bad) exit 1
        printf "%d blocks with %s, none with float ops\n", dotBlocks, dot }
' "$asm"
