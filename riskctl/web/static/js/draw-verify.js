// Steps 2–4 of 如何核验 on the public draw page, computed by the reader's browser from the public JSON.
"use strict";
document.getElementById("verify-button").addEventListener("click", async (event) => {
  const out = document.getElementById("verify-output");
  out.replaceChildren();
  const say = (ok, text) => {
    const li = document.createElement("li");
    li.textContent = (ok === null ? "" : ok ? "✓ 一致：" : "✗ 不一致：") + text;
    li.className = ok === false ? "error" : ok ? "ok" : "muted";
    out.appendChild(li);
  };
  if (!window.crypto || !crypto.subtle) {
    say(null, "此浏览器不能在页面内计算 SHA-256（需通过 HTTPS 访问），请使用上面的其他方法。");
    return;
  }
  const d = await (await fetch(event.target.dataset.json)).json();
  const utf8 = new TextEncoder();
  const sha = async (bytes) => new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  const seedText = ["riskctl-draw/1", d.plan, d.targets_digest, d.inspectors_digest, d.conflicts_digest,
                    d.quotas_digest, String(d.team_size), String(d.cap), d.entropy].join("\n");
  const seed = await sha(utf8.encode(seedText));
  say(hex(seed) === d.seed, "种子 S 由公布的四项摘要、每组人数、每人上限和公开随机数算出");
  const prefix = [...seed, 0x54, 0x00];
  let good = 0, bad = 0, masked = 0;
  for (const s of d.selected) {
    if (s.masked) { masked += 1; continue; }
    const key = hex(await sha(new Uint8Array([...prefix, ...utf8.encode(s.target)])));
    if (key === s.key) { good += 1; } else { bad += 1; }
  }
  say(bad === 0, `键值 ${good} 个一致、${bad} 个不一致` + (masked ? `，${masked} 个脱敏对象未核对` : ""));
  const ordered = d.selected.every((s, i, all) => i === 0 || all[i - 1].key < s.key);
  say(ordered, "名单按键值从小到大排列");
  const counts = {};
  d.selected.forEach((s) => { counts[s.stratum] = (counts[s.stratum] || 0) + 1; });
  const quotasMet = Object.entries(d.quotas).every(([s, n]) => (counts[s] || 0) === n);
  say(quotasMet, "各分层抽中数等于配额");
  if (masked) {
    say(null, "名单含脱敏对象，结果摘要需用完整清单核对。");
    return;
  }
  const lines = d.selected.map((s) => `${s.target}\t${s.stratum}\t${s.inspectors.join(",")}\n`).join("");
  say(hex(await sha(utf8.encode(lines))) === d.result_digest, "结果摘要由抽中名单算出");
});
