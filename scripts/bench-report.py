#!/usr/bin/env python3
"""Writes BENCHMARKS.md (and its plots) from the JSON that `make bench` left in bench/results/.

    bench-report.py RESULTS_DIR OUTPUT.md [FAILED_PART...]

Every figure comes from the files of that one run; each stands beside the baseline it was
measured against in the same run, as a ratio. Plots (PNG, matplotlib) go to RESULTS_DIR.
"""
import json
import os
import platform
import sys


def load(results, name):
    path = os.path.join(results, name + ".json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def fmt(v, unit=""):
    if v is None:
        return "–"
    if isinstance(v, (int, float)) and float(v).is_integer() and abs(v) < 1e15 and (abs(v) >= 100 or unit == ""):
        return f"{int(v):,} {unit}".strip()
    if isinstance(v, (int, float)):
        a = abs(v)
        s = f"{v:,.0f}" if a >= 100 else f"{v:.1f}" if a >= 10 else f"{v:.2f}"
    else:
        s = str(v)
    return f"{s} {unit}".strip()


def machine(commit):
    def read(p):
        try:
            with open(p) as f:
                return f.read()
        except OSError:
            return ""
    cpu = next((l.split(":", 1)[1].strip() for l in read("/proc/cpuinfo").splitlines() if l.startswith("model name")), "unknown CPU")
    mem = next((int(l.split()[1]) for l in read("/proc/meminfo").splitlines() if l.startswith("MemTotal")), 0)
    debian = read("/etc/debian_version").strip() or "?"
    return (f"{os.cpu_count()} × {cpu}, {mem / 1024 / 1024:.1f} GB RAM, Debian {debian}, Linux {platform.release()}; "
            f"sotto commit {commit}")


def figures_table(b):
    rows = ["| figure | value | baseline (same run) | ratio |", "|---|---|---|---|"]
    for f in b["figures"]:
        base = f.get("baseline")
        ratio = f.get("ratio")
        better = ""
        if ratio is not None:
            better = " (higher is better)" if f.get("higher_is_better") else " (lower is better)"
        rows.append(f"| {f['label']} | {fmt(f['value'], f['unit'])} | "
                    f"{(base['label'] + ': ' + fmt(base['value'], f['unit'])) if base else '–'} | "
                    f"{(f'{ratio:.2f}×' + better) if ratio is not None else '–'} |")
    return "\n".join(rows)


def load_table(lg):
    rows = ["| offered /s | sent | confirmed | failed | delivered | of them late | lost | duplicates | delivered /s | p50 ms | p90 ms "
            "| p99 ms | max ms | CPU cores: machine (iowait) / generator / nodes | busiest node |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for s in lg["steps"]:
        c, l = s["cpu_cores"], s["latency_ms"]
        rows.append(f"| {fmt(s['offered_per_s'])} | {s['sent']} | {s['confirmed']} | {s['failed']} | {s['delivered']} | {s.get('late', 0)} | {s['lost']} | "
                    f"{s['duplicates']} | {fmt(s['delivered_per_s'])} | {fmt(l['p50'])} | {fmt(l['p90'])} | {fmt(l['p99'])} | "
                    f"{fmt(l['max'])} | {c['machine']:.2f} ({c.get('iowait', 0):.2f}) / {c['generator']:.2f} / {c['nodes']:.2f} | "
                    f"{c['busiest_node']} {c['busiest_node_cores']:.2f} |")
    fails = {}
    for s in lg["steps"]:
        for why, n in s["failures"].items():
            fails.setdefault(s["offered_per_s"], []).append(f"{n} × {why}")
    notes = [f"- at {fmt(r)}/s: " + "; ".join(w) for r, w in fails.items()]
    return "\n".join(rows) + ("\n\nFailed sends (each reported to the sender as an error; none silent):\n\n" + "\n".join(notes) if notes else "")


def num(v):
    """A figure that may be missing or NaN (written as null) reads as 0."""
    return v if isinstance(v, (int, float)) and v == v else 0


def knee(lg):
    """The highest offered load still served in full (delivered/s >= 95% of offered, nothing lost)
    and the first one that was not, with the CPU figures there."""
    ok, over = None, None
    for s in lg["steps"]:
        served = s["delivered_per_s"] >= 0.95 * s["offered_per_s"] and s["lost"] == 0 and s["failed"] == 0
        if served and over is None:
            ok = s
        elif not served and over is None:
            over = s
    return ok, over


def knee_text(lg):
    ok, over = knee(lg)
    lines = []
    if ok:
        c = ok["cpu_cores"]
        lines.append(f"Served in full up to **{fmt(ok['offered_per_s'])} messages/s** (p50 {fmt(ok['latency_ms']['p50'])} ms, "
                     f"p99 {fmt(ok['latency_ms']['p99'])} ms; the machine's CPU {c['machine']:.2f} of {os.cpu_count()} cores).")
    if over:
        c = over["cpu_cores"]
        cores = os.cpu_count()
        lines.append(f"At **{fmt(over['offered_per_s'])}/s** it no longer keeps up: {fmt(over['delivered_per_s'])} delivered/s, "
                     f"p99 {fmt(over['latency_ms']['p99'])} ms, {over['failed']} failed sends, {over['lost']} lost.")
        where = (f"the nodes used {c['nodes']:.2f} cores (the busiest, {c['busiest_node']}, {c['busiest_node_cores']:.2f}) and the "
                 f"generator {c['generator']:.2f} (it does every client's onion encryption and its listeners' decryption)")
        if c["machine"] >= 0.85 * cores:
            lines.append(f"The resource that saturates is **the CPU**: {c['machine']:.2f} of {cores} cores busy; {where}.")
        elif c.get("iowait", 0) >= 0.3:
            lines.append(f"The resource that saturates is **the disk**: {c['iowait']:.2f} cores' worth of time waited on it "
                         f"(machine-wide: the nodes' databases and the generator's own client profiles), with the CPU at "
                         f"{c['machine']:.2f} of {cores}; {where}.")
        else:
            lines.append(f"Neither the CPU ({c['machine']:.2f} of {cores} cores) nor the disk ({c.get('iowait', 0):.2f} cores "
                         f"of iowait) is saturated: the limit is a bound inside a process (connections, queues or locks); {where}.")
        above = [st for st in lg["steps"] if st["offered_per_s"] >= over["offered_per_s"]]
        fails = {}
        for st in above:
            for why, n in st["failures"].items():
                fails[why] = fails.get(why, 0) + n
        lines.append(f"From there up ({', '.join(fmt(st['offered_per_s']) + '/s' for st in above)}): "
                     f"{sum(st['confirmed'] for st in above)} sends confirmed, {sum(st['delivered'] for st in above)} delivered "
                     f"({sum(st.get('late', 0) for st in above)} of them late), {sum(st['lost'] for st in above)} lost, "
                     f"{sum(st['duplicates'] for st in above)} duplicated; failed sends: "
                     + (", ".join(f"{n} × {why}" for why, n in fails.items()) if fails else "none") + ".")
    else:
        lines.append("No offered load in this run saturated the network.")
    return " ".join(lines)


def plots(results, e2e, lg, scale, rpc):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return {}, "matplotlib is not installed (apt-get install python3-matplotlib): no plots this time."
    made = {}
    if e2e or lg:
        fig, ax = plt.subplots(figsize=(7, 4))
        pct = [p / 100 for p in range(101)]
        if e2e and "latency_percentiles_ms" in e2e["data"]:
            ax.plot(e2e["data"]["latency_percentiles_ms"], pct, label="bench/e2e: one message at a time, 3-hop paths")
            ax.plot(e2e["data"]["baseline_percentiles_ms"], pct, "--", label="baseline: direct store + retrieve")
        if lg:
            for s in lg["steps"][:3]:
                ax.plot(s["latency_ms"]["percentiles"], pct, label=f"loadgen at {fmt(s['offered_per_s'])}/s")
        ax.set_xscale("log")
        ax.set_xlabel("delivery latency (ms, log scale)")
        ax.set_ylabel("fraction of messages delivered")
        ax.set_title("Delivery latency CDF (12-node loopback devnet)")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(os.path.join(results, "latency_cdf.png"), dpi=100)
        plt.close(fig)
        made["latency_cdf"] = "bench/results/latency_cdf.png"
    for name, run in (("load", lg), ("scale_load", scale)):
        if not run:
            continue
        fig, ax = plt.subplots(figsize=(7, 4))
        offered = [s["offered_per_s"] for s in run["steps"]]
        ax.plot(offered, [s["delivered_per_s"] for s in run["steps"]], "o-", label="delivered /s")
        ax.plot(offered, offered, ":", color="gray", label="offered")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("offered load (messages/s, log)")
        ax.set_ylabel("delivered messages/s (log)")
        ax2 = ax.twinx()
        ax2.plot(offered, [s["latency_ms"]["p50"] for s in run["steps"]], "s--", color="tab:red", label="p50 latency")
        ax2.plot(offered, [s["latency_ms"]["p99"] for s in run["steps"]], "^--", color="tab:purple", label="p99 latency")
        ax2.set_yscale("log")
        ax2.set_ylabel("latency (ms, log)")
        h1, l1 = ax.get_legend_handles_labels()
        h2, l2 = ax2.get_legend_handles_labels()
        ax.legend(h1 + h2, l1 + l2, fontsize=8, loc="upper left")
        ax.set_title(f"Throughput and latency against offered load ({run['nodes']} nodes, {run['accounts']} accounts)")
        ax.grid(True, alpha=0.3)
        fig.tight_layout()
        fig.savefig(os.path.join(results, name + ".png"), dpi=100)
        plt.close(fig)
        made[name] = f"bench/results/{name}.png"
    if rpc and "memory_vs_messages" in rpc["data"]:
        # node_rpc's points: [empty node just started, after its load, 1,000,000 messages just
        # started, the same after retrieves]: two states, two lines.
        pts = rpc["data"]["memory_vs_messages"]
        fig, ax = plt.subplots(figsize=(7, 4))
        ax.plot([pts[0][0], pts[2][0]], [pts[0][1], pts[2][1]], "o-", label="just started")
        ax.plot([pts[1][0], pts[3][0]], [pts[1][1], pts[3][1]], "s--", label="after serving load")
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=8)
        ax.set_xlabel("messages stored on the node (1 KiB each)")
        ax.set_ylabel("node resident memory (MB)")
        ax.set_title("One node's memory against what it stores")
        ax.grid(True, alpha=0.3)
        fig.tight_layout()
        fig.savefig(os.path.join(results, "memory.png"), dpi=100)
        plt.close(fig)
        made["memory"] = "bench/results/memory.png"
    return made, ""


def main():
    results, out, failed = sys.argv[1], sys.argv[2], sys.argv[3:]
    names = ["crypto", "storage", "node_rpc", "replication", "onion", "e2e", "backup"]
    benches = {n: load(results, n) for n in names}
    lg, scale, up = load(results, "loadgen"), load(results, "scale"), load(results, "scale_up")
    for run in (lg, scale):  # a CPU figure that could not be measured (NaN, written as null) reads as 0
        for st in (run or {}).get("steps", []):
            c = st["cpu_cores"]
            for k in ("machine", "iowait", "generator", "nodes", "busiest_node_cores"):
                c[k] = num(c.get(k))
    timing = load(results, "timing") or {}
    made, plot_note = plots(results, benches["e2e"], lg, scale, benches["node_rpc"])
    # When and at which commit the run began (bench.sh records it); the report may be
    # written again later from the same results.
    when = timing.get("started_utc", "an unrecorded time")
    commit = timing.get("commit", "unrecorded")
    md = ["# sotto benchmarks", "",
          f"Generated by `make bench`, a run begun on {when}, on {machine(commit)}. Every figure below comes from that one run "
          f"({fmt(timing.get('seconds'))} s in all); each stands beside the baseline it was measured against in the same "
          "run, as a ratio, because this machine is shared and its absolute speed varies. The raw figures are in "
          "`bench/results/*.json`, what each benchmark printed in `bench/results/*.txt`; how each is measured is in docs/bench.md.",
          ""]
    if failed:
        md += ["**Parts of this run failed** (their figures are missing below; their output is in bench/results/): "
               + ", ".join(failed) + ".", ""]
    if plot_note:
        md += [plot_note, ""]
    targets = [(n, t) for n, b in benches.items() if b for t in b["targets"]]
    if targets:
        md += ["## Targets", "", "| benchmark | target | this run |", "|---|---|---|"]
        md += [f"| {n} | {t['target']} | {'met' if t['met'] else '**not met**'} |" for n, t in targets]
        md += [""]
    titles = {"crypto": "Crypto against raw libsodium (bench/crypto_bench)",
              "storage": "Storage engine (bench/storage_bench)",
              "node_rpc": "One node's storage RPC against the verify + insert ceiling (bench/node_rpc)",
              "replication": "Replication in a 12-node devnet (bench/replication)",
              "onion": "Onion routing against X25519 + AEAD (bench/onion)",
              "e2e": "Delivery latency against a direct round trip (bench/e2e)",
              "backup": "Encrypted backups (bench/backup)"}
    for n in names:
        b = benches[n]
        md += [f"## {titles[n]}", ""]
        if not b:
            md += ["Not in this run (the benchmark failed or was skipped; see its .txt).", ""]
            continue
        md += [figures_table(b), ""]
        if n == "e2e" and "latency_cdf" in made:
            md += [f"![delivery latency CDF]({made['latency_cdf']})", ""]
        if n == "node_rpc" and "memory" in made:
            md += [f"![memory against stored messages]({made['memory']})", ""]
    if lg:
        md += ["## Offered load on a 12-node devnet (sotto-loadgen, open loop)", "",
               f"{lg['accounts']} accounts, each with its own keys, profile, onion paths and a listener waiting on its swarm; "
               f"{fmt(lg['duration_s'])} s per rate; a message's latency runs from when it was due (not when the generator got to it) to "
               "when its recipient's listener held it. Failed sends are errors the sender saw; late means delivered after the "
               "step's drain; lost means confirmed by a swarm member but never delivered by the end of the run.", "", load_table(lg), "", knee_text(lg), ""]
        if "load" in made:
            md += [f"![throughput and latency against offered load]({made['load']})", ""]
    if scale:
        md += ["## Scale: 100 nodes on this one machine", ""]
        rows = ["| figure | value |", "|---|---|"]
        if up:
            rows.append(f"| nodes, authorities | {up['nodes']}, {up['authorities']} (each node: `threads = {up['node_threads']}`, "
                        f"{up['epoch_seconds']} s epochs) |")
            rows.append(f"| from start to a consensus holding every node, on every node | {fmt(up['up_seconds'], 's')} |")
        rows.append(f"| resident memory per node, before the load (mean) | {fmt(scale['node_rss_kb_mean_before'] / 1024, 'MB')} |")
        rows.append(f"| resident memory per node, after it (mean / largest) | {fmt(scale['node_rss_kb_mean'] / 1024, 'MB')} / "
                    f"{fmt(scale['node_rss_kb_max'] / 1024, 'MB')} |")
        if "idle_cores" in scale:
            rows.append(f"| CPU with no load: all nodes / the authorities | {scale['idle_cores'].get('nodes', 0):.2f} / "
                        f"{scale['idle_cores'].get('authorities', 0):.2f} cores |")
        best = max(scale["steps"], key=lambda st: st.get("confirmed_per_s", 0))
        rows.append(f"| store throughput: stores confirmed by their swarm per second, at its highest (offered "
                    f"{fmt(best['offered_per_s'])}/s) | {fmt(best.get('confirmed_per_s'), '/s')} |")
        md += rows + ["", "Delivery and store throughput at 100 nodes (sotto-loadgen, as above):", "", load_table(scale), "",
                      knee_text(scale), ""]
        if "scale_load" in made:
            md += [f"![throughput and latency at 100 nodes]({made['scale_load']})", ""]
    with open(out, "w") as f:
        f.write("\n".join(md))
    print(f"bench-report: wrote {out}" + (f" and {len(made)} plots" if made else ""))


if __name__ == "__main__":
    main()
