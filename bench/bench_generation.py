"""Measure the embedded model's generation speed and short-answer latency.

Usage:
    python bench/bench_generation.py                  # SmolLM2-135M-Instruct, 20 rounds
    python bench/bench_generation.py --rounds 50 --threads 2
    OMP_WAIT_POLICY=PASSIVE python bench/bench_generation.py   # on a machine busy with other work

Prints the decode rate (generated tokens per second, prompt processing
excluded) and the prompt processing rate. Then it prints p50/p95 latency of a
short answer for two prompt sizes: a question alone, and a question with 20
short fact lines as a grounded prompt has. The decode rate is
``(N - 1) / (t(N) - t(1))`` over replies forced to ``N`` and to 1 token, so
prompt processing cancels out. Every timed call gets a different question
and fact order, because llama-cpp-python reuses the cached prefix of the
previous prompt and a repeated prompt would skip prompt processing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from kgqa.generation.embedded import EmbeddedGenerator

SYSTEM = "Answer the question in one short sentence. Use only the facts given, if any."
STORY = "Write a long story about a lighthouse keeper."
FACT_LINES = 20
CITIES = ["Vienna", "Linz", "Graz", "Salzburg", "Innsbruck"]
RELATIONS = ["country", "river", "population", "founded", "mayor party"]
VALUES = ["Austria", "Danube", "1,982,097", "about 500 BC", "SPO"]


def question(variant: int) -> str:
    relation = RELATIONS[variant % len(RELATIONS)]
    city = CITIES[(variant // len(RELATIONS)) % len(CITIES)]
    return f"What is the {relation} of {city}? (request {variant})"


def fact_lines(count: int, variant: int) -> str:
    """Return ``count`` short subject | relation | object lines, rotated by ``variant``."""
    lines = []
    for index in range(count):
        city = CITIES[index % len(CITIES)]
        relation = RELATIONS[(index // len(CITIES)) % len(RELATIONS)]
        value = VALUES[(index // len(CITIES)) % len(VALUES)]
        lines.append(f"{city} | {relation} | {value}")
    shift = variant % count
    return "\n".join(lines[shift:] + lines[:shift])


def grounded(variant: int) -> str:
    return f"Facts:\n{fact_lines(FACT_LINES, variant)}\n\nQuestion: {question(variant)}"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def decode_rate(generator: EmbeddedGenerator, tokens: int, rounds: int) -> float:
    """Return the median decode rate in tokens/s over ``rounds`` pairs of calls."""
    rates = []
    for variant in range(rounds):
        messages = [{"role": "user", "content": f"{STORY} (request {variant})"}]
        short = generator.chat(messages, max_tokens=1)
        long = generator.chat(messages, max_tokens=tokens)
        if long.finish_reason != "length":
            raise SystemExit(f"the story prompt stopped after {long.completion_tokens} tokens; "
                             "lower --decode-tokens")
        rates.append((long.completion_tokens - 1) / (long.elapsed_s - short.elapsed_s))
    return statistics.median(rates)


def prompt_rate(generator: EmbeddedGenerator, rounds: int) -> float:
    """Return the median prompt processing rate in tokens/s for grounded prompts."""
    rates = []
    for variant in range(rounds):
        reply = generator.chat([{"role": "user", "content": grounded(1000 + variant)}], max_tokens=1)
        rates.append(reply.prompt_tokens / reply.elapsed_s)
    return statistics.median(rates)


def bench_prompt(generator: EmbeddedGenerator, label: str, build_user, rounds: int, max_tokens: int) -> None:
    latencies, replies = [], []
    for variant in range(rounds):
        messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": build_user(variant)}]
        generation = generator.chat(messages, max_tokens=max_tokens)
        latencies.append(generation.elapsed_s)
        replies.append(generation)

    tokens = statistics.median(reply.completion_tokens for reply in replies)
    rate = sum(reply.completion_tokens for reply in replies) / sum(latencies)
    print(f"{label:<24} {replies[0].prompt_tokens:>7} {tokens:>7.0f} {percentile(latencies, 0.5):>8.3f} "
          f"{percentile(latencies, 0.95):>8.3f} {rate:>10.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="calls per prompt size")
    parser.add_argument("--max-tokens", type=int, default=48, help="max_tokens of the short answers")
    parser.add_argument("--decode-tokens", type=int, default=128, help="reply length of the decode test")
    parser.add_argument("--threads", type=int, default=1,
                        help="llama.cpp decode threads; 0 means one per CPU")
    parser.add_argument("--batch-threads", type=int, default=0,
                        help="llama.cpp prompt threads; 0 means one per CPU")
    args = parser.parse_args()

    generator = EmbeddedGenerator(threads=args.threads, batch_threads=args.batch_threads,
                                  max_tokens=args.max_tokens)
    started = time.perf_counter()
    generator.load()
    generator.chat([{"role": "user", "content": question(0)}], max_tokens=8)
    print(f"model {generator.name}, {generator.threads} decode and {generator.batch_threads} "
          f"prompt threads, {os.cpu_count()} CPUs, "
          f"OMP_WAIT_POLICY={os.environ.get('OMP_WAIT_POLICY', '(unset)')}, "
          f"load average {os.getloadavg()[0]:.2f}; "
          f"loaded and warmed up in {time.perf_counter() - started:.1f} s")

    decode = decode_rate(generator, args.decode_tokens, max(3, args.rounds // 4))
    prompt = prompt_rate(generator, max(3, args.rounds // 4))
    print(f"decode {decode:.1f} tokens/s, prompt processing {prompt:.0f} tokens/s\n")

    print(f"{'prompt':<24} {'prompt':>7} {'reply':>7} {'p50 s':>8} {'p95 s':>8} {'tokens/s':>10}")
    print(f"{'':<24} {'tokens':>7} {'tokens':>7} {'':>8} {'':>8} {'end to end':>10}")
    bench_prompt(generator, "question alone", question, args.rounds, args.max_tokens)
    bench_prompt(generator, f"question + {FACT_LINES} facts", grounded, args.rounds, args.max_tokens)


if __name__ == "__main__":
    main()
