"""The RL template's bar: mean return over 100 held-out CartPole-v1 episodes against training time.

The issue's bar: with the default config and seed, a mean return of at least 475 over 100
evaluation episodes (Gymnasium's "solved"), after at most 120 s of training on 2 cores. This
renders `scaffold new -t rl --defaults`, installs it once the way the tests do (`uv pip install
torch==2.13.0 -e ".[dev]"`: the local CPU wheel), then runs the project's own `train` command:

- the default config, N times (each a fresh model directory): median training time (wall and
  CPU, as `train` measures them around the learning loop) and every run's mean return; with
  `--ppo KEY=VALUE ...`, the default config with those PPO settings changed (how the settings
  that would train faster were tried: every seed must still solve the task);
- a budget sweep, one run per `total_timesteps`: the smallest budget whose policy already scores
  at least 475, i.e. the time to solve;
- with `--thermostat`, the custom environment at several energy prices: return, reward terms,
  energy per day and the indoor temperature at 02:00, 06:00 and 18:00 (data/README.md's table);
- with `--envs CartPole-v1,Acrobot-v1,...`, each environment with its tuned settings from the
  project's configs/hyperparams.yaml (a config that changes `env_id` alone, as the README's "Use
  your own environment" says), once per seed of `--seeds`: held-out mean return and its 95 %
  interval, solved or not, the random agent, training time. `--jobs N` runs N trainings side by
  side (each on one thread); `--budget ENV=STEPS` overrides a budget, to try a shorter one.
  LunarLander-v3 needs Box2D: the project is installed with `gymnasium[box2d]` (its `box2d` extra).

The machine is shared: the load average is printed at start and end.

usage: python bench/bench_rl.py [--runs 3] [--seeds 42,7,123] [--budgets 30000,...] [--thermostat]
                                [--ppo n_epochs=15 ...]
       python bench/bench_rl.py --runs 0 --budgets '' --envs Acrobot-v1,MountainCar-v0 \
                                --seeds 42,7,123 [--jobs 3] [--budget Acrobot-v1=100000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
sys.path.insert(0, str(REPO / "tests"))
from project_env import ProjectEnv  # noqa: E402

PACKAGE = "bench_agent"
BAR_RETURN, BAR_SECONDS = 475.0, 120.0
# Behaviour of a trained thermostat policy on the 100 evaluation days, printed as JSON.
THERMOSTAT_BEHAVIOUR = """
import json, sys
import numpy as np
from bench_agent.config import load_config
from bench_agent.data import evaluation_seeds, make_env
from bench_agent.model import PolicyAgent
config = load_config(sys.argv[1])
agent = PolicyAgent.load(config.model_dir)
energy, temperatures = [], []
for seed in evaluation_seeds(config.evaluation.seed, config.evaluation.episodes):
    env = make_env(config.env_id, config.env_kwargs)
    observation, _ = env.reset(seed=seed)
    day, kwh, done = [float(observation[0])], 0.0, False
    while not done:
        observation, _, terminated, truncated, info = env.step(int(agent.act(observation[None])[0]))
        day.append(float(observation[0]))
        kwh += info["power_kw"] * 0.5
        done = terminated or truncated
    energy.append(kwh)
    temperatures.append(day)
mean_day = np.mean(temperatures, axis=0)  # index i: after i half-hours
print(json.dumps({"kwh": float(np.mean(energy)), "t02": mean_day[4], "t06": mean_day[12],
                  "t18": mean_day[36]}))
"""


def config_file(
    project: Path, name: str, base: str, ppo: dict | None = None, **settings: object
) -> Path:
    """configs/NAME.yaml: the base config with top-level keys and `ppo` keys replaced, and its
    own outputs."""
    data = yaml.safe_load((project / "configs" / base).read_text(encoding="utf-8"))
    data.update(settings, model_dir=f"models/{name}", reports_dir=f"reports/{name}")
    data["ppo"] = {**data.get("ppo", {}), **(ppo or {})}
    data["progress_bar"] = False
    path = project / "configs" / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def train(env: ProjectEnv, config: Path) -> tuple[dict, dict, float]:
    """Metrics, model metadata and the whole command's wall time of one `train` run."""
    start = time.perf_counter()
    env.command("train", "--config", str(config), timeout=7200)
    elapsed = time.perf_counter() - start
    name = config.stem
    metrics = json.loads((env.project / "reports" / name / "metrics.json").read_text())
    metadata = json.loads((env.project / "models" / name / "metadata.json").read_text())
    return metrics, metadata, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--budgets", default="30000,40000,50000,100000")
    parser.add_argument("--thermostat", action="store_true")
    # Run i of the default config trains with seed i of this list (in turn): with one seed the
    # runs repeat one result (training is deterministic) and time it; with several, they show
    # whether the budget solves CartPole whatever the seed.
    parser.add_argument("--seeds", default="42")
    parser.add_argument(
        "--ppo", nargs="*", default=[], metavar="KEY=VALUE", help="e.g. n_epochs=15 n_envs=16"
    )
    parser.add_argument("--envs", default="", help="e.g. CartPole-v1,Acrobot-v1,MountainCar-v0")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--budget", nargs="*", default=[], metavar="ENV=STEPS")
    args = parser.parse_args()
    ppo = {key: yaml.safe_load(value) for key, value in (item.split("=", 1) for item in args.ppo)}

    work = Path(tempfile.mkdtemp(prefix="bench-rl-"))
    try:
        project = work / PACKAGE.replace("_", "-")
        subprocess.run(
            [str(BIN / "scaffold"), "new", str(project), "-t", "rl", "--defaults", "--no-git"],
            check=True,
            capture_output=True,
        )
        extras = ("gymnasium[box2d]",) if "LunarLander" in args.envs else ()
        env = ProjectEnv.uv_pip(project, PACKAGE, ("torch==2.13.0", "-e", ".[dev]", *extras))
        print(f"{os.cpu_count()} cores; load average at start: {os.getloadavg()[0]:.1f}\n")
        if args.envs:
            budgets = {key: int(value) for key, value in (b.split("=", 1) for b in args.budget)}
            environments(
                env,
                args.envs.split(","),
                [int(seed) for seed in args.seeds.split(",")],
                args.jobs,
                budgets,
            )
        if args.runs:
            default_runs(env, args.runs, [int(seed) for seed in args.seeds.split(",")], ppo)
        budget_sweep(env, [int(budget) for budget in args.budgets.split(",") if budget], ppo)
        if args.thermostat:
            thermostat(env)
        print(f"load average at end: {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def default_runs(env: ProjectEnv, runs: int, seeds: list[int], ppo: dict) -> None:
    results = []
    for index in range(runs):
        seed = seeds[index % len(seeds)]
        config = config_file(env.project, f"default-{index}", "config.yaml", ppo, seed=seed)
        metrics, metadata, elapsed = train(env, config)
        results.append((metrics, metadata, elapsed))
        print(
            f"  run {index} (seed {seed}): mean return {metrics['mean_return']:.1f} "
            f"± {metrics['std_return']:.1f}, "
            f"training {metadata['training_seconds']:.1f} s wall, "
            f"{metadata['training_cpu_seconds']:.1f} s CPU; `train` {elapsed:.1f} s; "
            f"load {os.getloadavg()[0]:.1f}",
            file=sys.stderr,
        )
    wall = statistics.median(metadata["training_seconds"] for _, metadata, _ in results)
    cpu = statistics.median(metadata["training_cpu_seconds"] for _, metadata, _ in results)
    command = statistics.median(elapsed for *_, elapsed in results)
    returns = ", ".join(f"{metrics['mean_return']:.1f}" for metrics, *_ in results)
    random = results[0][0]["random_mean_return"]
    used = ", ".join(str(seeds[index % len(seeds)]) for index in range(runs))
    changed = "".join(f", {key}={value}" for key, value in ppo.items())
    print(f"### CartPole-v1, default config{changed}, seeds {used}\n")
    print("| measure | value | bar |")
    print("| --- | --- | --- |")
    print(f"| mean return over 100 held-out episodes, each run | {returns} | ≥ {BAR_RETURN:g} |")
    print(f"| random agent, same episodes | {random:.1f} | |")
    print(
        f"| training, median wall time | {wall:.1f} s "
        f"| ≤ {BAR_SECONDS:g} s: {wall / BAR_SECONDS:.2f} |"
    )
    print(f"| training, median CPU time | {cpu:.1f} s | |")
    print(f"| whole `train` command (imports, evaluation, figures, GIF) | {command:.1f} s | |\n")


def budget_sweep(env: ProjectEnv, budgets: list[int], ppo: dict) -> None:
    if not budgets:
        return
    print("### Time to solve: one run per budget\n")
    print("| total_timesteps | mean return | training wall | training CPU |")
    print("| --- | --- | --- | --- |")
    for budget in budgets:
        config = config_file(
            env.project, f"budget-{budget}", "config.yaml", ppo, total_timesteps=budget
        )
        metrics, metadata, _ = train(env, config)
        mark = " ✓" if metrics["mean_return"] >= BAR_RETURN else ""
        print(
            f"| {budget:,} | {metrics['mean_return']:.1f}{mark} | "
            f"{metadata['training_seconds']:.1f} s | {metadata['training_cpu_seconds']:.1f} s |"
        )
    print()


def environments(
    env: ProjectEnv, env_ids: list[str], seeds: list[int], jobs: int, budgets: dict[str, int]
) -> None:
    """Each environment with its tuned settings (configs/hyperparams.yaml), once per seed."""
    tuned = yaml.safe_load((env.project / "configs" / "hyperparams.yaml").read_text())
    runs = []
    for env_id in env_ids:
        for seed in seeds:
            name = f"{env_id.lower()}-{seed}"
            data = {
                "env_id": env_id,
                "seed": seed,
                "model_dir": f"models/{name}",
                "reports_dir": f"reports/{name}",
                "progress_bar": False,
                "evaluation": {"episodes": 100, "seed": 1_000_000, "record_frames": 0},
            }
            if env_id in budgets:
                data["total_timesteps"] = budgets[env_id]
            path = env.project / "configs" / f"{name}.yaml"
            path.write_text(yaml.safe_dump(data), encoding="utf-8")
            runs.append((env_id, seed, path))

    def one(run: tuple[str, int, Path]) -> tuple[str, int, dict, dict, float]:
        env_id, seed, path = run
        metrics, metadata, elapsed = train(env, path)
        print(
            f"  {env_id} seed {seed}: {metrics['verdict']} "
            f"training {metadata['training_seconds']:.0f} s wall, "
            f"{metadata['training_cpu_seconds']:.0f} s CPU; load {os.getloadavg()[0]:.1f}",
            file=sys.stderr,
            flush=True,
        )
        return env_id, seed, metrics, metadata, elapsed

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(one, runs))
    print("### Tuned settings per environment (configs/hyperparams.yaml), held-out returns\n")
    print(
        "| environment | algorithm | timesteps | seed | mean return [95 % interval] "
        "| solved (threshold) | random agent | training CPU | training wall |"
    )
    print("| --- | --- | ---: | ---: | --- | --- | ---: | ---: | ---: |")
    for env_id, seed, metrics, metadata, _ in results:
        low, high = metrics["interval"]["mean_return"]
        solved = "yes" if metrics.get("solved") else "**no**"
        kept = metadata.get("selection", {}).get("kept_timestep")
        kept_note = f" (kept {kept:,})" if kept is not None else ""
        print(
            f"| {env_id} | {metadata['algorithm']} | {metrics['timesteps']:,}{kept_note} | {seed} "
            f"| {metrics['mean_return']:.1f} [{low:.1f}, {high:.1f}] "
            f"| {solved} ({metrics.get('reward_threshold', '–')}) "
            f"| {metrics['random_mean_return']:.1f} | {metadata['training_cpu_seconds']:.0f} s "
            f"| {metadata['training_seconds']:.0f} s |"
        )
    print()
    tuned_budgets = ", ".join(
        f"{env_id} {budgets.get(env_id, tuned[env_id]['total_timesteps']):,}"
        for env_id in env_ids
        if env_id in tuned
    )
    print(f"budgets: {tuned_budgets}\n", flush=True)


def thermostat(env: ProjectEnv) -> None:
    print("### Thermostat-v0 by energy price (configs/thermostat.yaml otherwise)\n")
    print(
        "| energy_price | return | comfort | energy | kWh/day "
        "| °C 02:00 / 06:00 / 18:00 | training |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")

    base = yaml.safe_load((env.project / "configs" / "thermostat.yaml").read_text())
    for price in (0.0, 0.3, 3.0):
        kwargs = {**base["env_kwargs"], "energy_price": price}
        config = config_file(
            env.project, f"thermostat-{price}", "thermostat.yaml", env_kwargs=kwargs
        )
        metrics, metadata, _ = train(env, config)
        behaviour = json.loads(
            env.run(str(env.python), "-c", THERMOSTAT_BEHAVIOUR, str(config)).stdout
        )
        print(
            f"| {price} | {metrics['mean_return']:.1f} | {metrics['mean_comfort_reward']:.1f} | "
            f"{metrics['mean_energy_reward']:.1f} | {behaviour['kwh']:.1f} | "
            f"{behaviour['t02']:.1f} / {behaviour['t06']:.1f} / {behaviour['t18']:.1f} | "
            f"{metadata['training_seconds']:.0f} s |"
        )
    print(f"\nrandom heater at the last price: {metrics['random_mean_return']:.1f}\n")


if __name__ == "__main__":
    main()
