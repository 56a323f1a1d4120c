#!/usr/bin/env bash
# GPU check for the Monte Carlo significance engine (issue 10), in one short run.
#
# For a bare GPU machine whose python3 has numpy, scipy, cupy (cupy-cuda12x or
# cupy-cuda13x), pytest and joblib, with no network and no Ray; run from the
# repository root:
#
#     PYTHONPATH=. bash bench/gpu_check.sh
#
# 1. the device and the library versions;
# 2. the gpu tests (tests/pycwt_mod/montecarlo/test_backends.py::TestGPUBackend: availability, the
#    cupy kernel against the numpy one on the same draws, for red noise and for
#    phase surrogates of the data, and the areawise passes named on the gpu);
# 3. bench/significance.py for the gpu and sequential backends on the issue's
#    problem (N=1024, dj=1/12, J=108, Morlet, AR(1) 0.72, mc_count=300), median of
#    3 runs, and the largest CPU/GPU threshold difference. GPU thresholds agree with
#    the CPU's within Monte Carlo error, not bit for bit (cuFFT rounds differently).
#
# Nothing is installed and nothing is reached over the network. Extras that are
# absent (Ray, pycwt, pyleoclim, tqdm) are skipped with a note. Exit status: that
# of the tests, or of the benchmark if the tests passed.
set -u
cd "$(dirname "$0")/.." || exit 2
export PYTHONPATH="${PYTHONPATH:-.}"
export RAY_USAGE_STATS_ENABLED=0
PY="${PYTHON:-python3}"

echo "== device"
"$PY" - <<'EOF'
import platform
import numpy, scipy
print(f"python {platform.python_version()}, numpy {numpy.__version__}, scipy {scipy.__version__}")
try:
    import cupy
    props = cupy.cuda.runtime.getDeviceProperties(0)
    print(f"cupy {cupy.__version__}, CUDA runtime {cupy.cuda.runtime.runtimeGetVersion()}, "
          f"device 0: {props['name'].decode()}, {props['totalGlobalMem'] / 2**30:.0f} GiB")
except Exception as exc:  # report and go on: the tests and the benchmark say why
    print(f"cupy/CUDA unavailable: {exc!r}")
from pycwt_mod.montecarlo.backends.gpu import gpu_unavailable_reason
print("gpu backend:", gpu_unavailable_reason() or "available")
EOF

echo "== gpu tests"
"$PY" -m pytest -q -p no:cacheprovider -o addopts="" -rs tests/pycwt_mod/montecarlo/test_backends.py -k "GPU"
tests=$?

echo "== significance benchmark: gpu and sequential"
"$PY" bench/significance.py --backends gpu,sequential --repeat 3 --no-peers
bench=$?

if [ "$tests" -ne 0 ]; then exit "$tests"; fi
exit "$bench"
