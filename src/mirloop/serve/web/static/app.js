// mirloop web app: job progress, waveforms with boundaries, linked players, catalog auditions.
// Plain JavaScript, no build step.
"use strict";

const GENRE_HUES = {};

function hue(descriptor) {
  // one hue per genre (the descriptor's first part), spread by a string hash
  const genre = (descriptor || "").split("_")[0];
  if (!(genre in GENRE_HUES)) {
    let h = 0;
    for (const c of genre) h = (h * 31 + c.charCodeAt(0)) % 360;
    GENRE_HUES[genre] = h;
  }
  return GENRE_HUES[genre];
}

function colour(descriptor, alpha) {
  return descriptor ? `hsla(${hue(descriptor)}, 60%, 55%, ${alpha})` : `rgba(128, 128, 128, ${alpha})`;
}

// --- progress of a job: poll its API status, show the stage, reload when it ends ---------------
function watchJob(section) {
  const stages = [...section.querySelectorAll("[data-stage]")];
  const tick = async () => {
    let job;
    try {
      const response = await fetch(section.dataset.status, { headers: { Accept: "application/json" } });
      job = await response.json();
    } catch (error) {
      setTimeout(tick, 2000);
      return;
    }
    section.querySelector(".state").textContent = job.state;
    section.querySelector(".stage").textContent =
      job.stage || (job.state === "running" ? "starting" : "waiting for a worker");
    section.querySelector(".percent").textContent = Math.round(job.progress);
    section.querySelector("progress").value = job.progress;
    const current = stages.findIndex((li) => job.stage && job.stage.startsWith(li.dataset.stage));
    stages.forEach((li, i) => {
      li.classList.toggle("current", i === current);
      li.classList.toggle("done", current >= 0 && i < current);
    });
    if (job.state === "done" || job.state === "failed") {
      window.location.reload();
    } else {
      setTimeout(tick, 600);
    }
  };
  tick();
}

// --- waveforms: envelope, coloured regions, boundaries, playhead; click to seek ----------------
async function drawWave(canvas) {
  const duration = parseFloat(canvas.dataset.duration);
  const regions = JSON.parse(canvas.dataset.regions || "[]");
  const boundaries = JSON.parse(canvas.dataset.boundaries || "[]");
  const found = JSON.parse(canvas.dataset.found || "[]");
  const audio = document.getElementById(canvas.dataset.audio);
  const peaks = (await (await fetch(canvas.dataset.peaks)).json()).peaks;
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  const x = (t) => (t / duration) * w;

  const paint = () => {
    ctx.clearRect(0, 0, w, h);
    for (const r of regions) {
      ctx.fillStyle = colour(r.descriptor, 0.25);
      ctx.fillRect(x(r.start), 0, x(r.end) - x(r.start), h);
      ctx.fillStyle = "#333";
      ctx.font = "11px sans-serif";
      ctx.fillText(r.descriptor || "", x(r.start) + 4, 12);
    }
    ctx.fillStyle = "#345";
    const bar = w / peaks.length;
    peaks.forEach((p, i) => {
      const height = Math.max(1, p * (h - 20));
      ctx.fillRect(i * bar, (h + 12) / 2 - height / 2, Math.max(1, bar - 0.5), height);
    });
    ctx.strokeStyle = "#d22";
    ctx.lineWidth = 2;
    ctx.setLineDash([6, 4]);
    for (const b of boundaries) {
      ctx.beginPath(); ctx.moveTo(x(b), 0); ctx.lineTo(x(b), h); ctx.stroke();
    }
    ctx.setLineDash([]);
    ctx.fillStyle = "#14c";
    for (const b of found) {
      ctx.beginPath(); ctx.arc(x(b), h - 6, 4, 0, 2 * Math.PI); ctx.fill();
    }
    if (audio) {
      ctx.strokeStyle = "#000";
      ctx.lineWidth = 1;
      ctx.beginPath(); ctx.moveTo(x(audio.currentTime), 0); ctx.lineTo(x(audio.currentTime), h); ctx.stroke();
    }
  };
  paint();
  canvas.dataset.drawn = "true";
  if (audio) {
    const loop = () => { paint(); if (!audio.paused) requestAnimationFrame(loop); };
    audio.addEventListener("play", loop);
    audio.addEventListener("seeked", paint);
    canvas.addEventListener("click", (event) => {
      const box = canvas.getBoundingClientRect();
      const time = ((event.clientX - box.left) / box.width) * duration;
      audio.currentTime = Math.max(0, Math.min(time, audio.duration || duration));
    });
  }
}

// --- linked players: one position, one playing ------------------------------------------------
// A seek the link makes is remembered by its target, so that its own "seeked" event (which may
// arrive late, after the listener has moved a player again) is not taken for a listener's seek
// and sent back to the others.
function linkPlayers() {
  const players = [...document.querySelectorAll("audio.linked")];
  const toggle = document.getElementById("link-players");
  const following = new Map(); // player -> the position the link sent it to
  const linked = () => toggle && toggle.checked;
  for (const player of players) {
    player.addEventListener("play", () => {
      if (!linked()) return;
      for (const other of players) if (other !== player) other.pause();
    });
    player.addEventListener("seeked", () => {
      if (following.has(player)) {
        const target = following.get(player);
        following.delete(player);
        if (Math.abs(player.currentTime - target) < 0.05) return; // the link's own seek
      }
      if (!linked()) return;
      for (const other of players) {
        if (other !== player && Math.abs(other.currentTime - player.currentTime) > 0.05) {
          const target = Math.min(player.currentTime, other.duration || player.currentTime);
          following.set(other, target);
          other.currentTime = target;
        }
      }
    });
  }
}

// --- the window strip's colours ----------------------------------------------------------------
function colourWindows() {
  for (const cell of document.querySelectorAll(".window[data-descriptor]")) {
    cell.style.background = colour(cell.dataset.descriptor, 1);
  }
}

// --- catalog: filter rows, audition a descriptor ------------------------------------------------
function catalog() {
  const filter = document.getElementById("catalog-filter");
  if (filter) {
    filter.addEventListener("input", () => {
      const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      let shown = 0;
      for (const row of document.querySelectorAll("table.catalog tbody tr")) {
        const text = row.textContent.toLowerCase();
        const visible = words.every((word) => text.includes(word));
        row.hidden = !visible;
        shown += visible ? 1 : 0;
      }
      document.getElementById("catalog-count").textContent = shown;
    });
  }
  for (const button of document.querySelectorAll("button.audition")) {
    button.addEventListener("click", () => audition(button));
  }
}

async function audition(button) {
  const cell = button.parentElement;
  const state = cell.querySelector(".state");
  const audio = cell.querySelector("audio");
  button.disabled = true;
  state.textContent = "queued";
  const body = new FormData();
  body.append("descriptor", button.dataset.descriptor);
  const answer = await (await fetch(button.dataset.url, { method: "POST", body })).json();
  if (!answer.status) {
    state.textContent = answer.errors ? answer.errors[0].detail : "failed";
    button.disabled = false;
    return;
  }
  for (;;) {
    const job = await (await fetch(answer.status)).json();
    if (job.state === "done") {
      const file = job.files.find((f) => f.name.endsWith(".wav"));
      audio.src = file.url;
      audio.hidden = false;
      state.textContent = "";
      audio.play().catch(() => {});
      break;
    }
    if (job.state === "failed") {
      state.textContent = `failed: ${job.error}`;
      break;
    }
    state.textContent = `${job.stage || job.state} ${Math.round(job.progress)} %`;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  button.disabled = false;
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("section.progress[data-job]").forEach(watchJob);
  document.querySelectorAll("canvas.wave").forEach((canvas) => drawWave(canvas));
  colourWindows();
  linkPlayers();
  catalog();
});
