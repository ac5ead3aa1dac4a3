#!/usr/bin/env bash
# Checks a model .so: it needs nothing beyond libc/libm/libpthread (and the
# dynamic loader), and exports exactly the qc_* entries of include/qc/model.h.
set -euo pipefail
so=$1
deps=$(ldd "$so" | awk '{print $1}' | grep -Ev '^(linux-vdso\.so|/lib64/ld-linux|ld-linux|libc\.so|libm\.so|libpthread\.so)' || true)
if [[ -n "$deps" ]]; then
  echo "$so depends on more than libc/libm/libpthread:"; echo "$deps"; exit 1
fi
exports=$(nm -D --defined-only "$so" | awk '{print $3}' | sort)
expected="qc_abi_version qc_input_dim qc_input_dim_name qc_input_elem_type qc_input_name
qc_input_rank qc_last_error qc_model_name qc_num_inputs qc_num_outputs qc_output_dim
qc_output_dim_name qc_output_elem_type qc_output_name qc_output_rank qc_run
qc_session_create qc_session_destroy qc_session_reserve qc_target_cpu"
expected=$(echo $expected | tr ' ' '\n' | sort)
if [[ "$exports" != "$expected" ]]; then
  echo "$so exports differ from the qc C ABI:"; diff <(echo "$expected") <(echo "$exports"); exit 1
fi
echo "ok: $(ldd "$so" | awk '{print $1}' | tr '\n' ' ')"
