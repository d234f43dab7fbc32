// Progressive enhancement only: every page works without JavaScript.
import { initAll } from "../govuk/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();

// An import's progress bar follows the task while it runs (without JavaScript: refresh the page).
const importProgress = document.querySelector("[data-import-progress-url]");
if (importProgress) {
  const bar = importProgress.querySelector("progress");
  const label = importProgress.querySelector("[data-import-label]");
  const poll = async () => {
    const response = await fetch(importProgress.dataset.importProgressUrl, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const state = await response.json();
    bar.value = state.progress;
    bar.textContent = `${state.progress}%`;
    label.textContent = `${state.label}: ${state.progress}%`;
    if (state.finished) {
      window.location.reload();
    } else {
      setTimeout(poll, 1000);
    }
  };
  setTimeout(poll, 1000);
}
