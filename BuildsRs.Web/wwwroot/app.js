// Copy buttons work on static pages too: any element with data-copy puts its text on the clipboard.
document.addEventListener("click", async (event) => {
    const button = event.target.closest("[data-copy]");
    if (!button) {
        return;
    }
    const status = button.closest(".copy-line")?.querySelector(".copy-status");
    try {
        await navigator.clipboard.writeText(button.dataset.copy);
        if (status) status.textContent = "Copied";
    } catch {
        if (status) status.textContent = "Select the text to copy it";
    }
    if (status) setTimeout(() => { status.textContent = ""; }, 2000);
});

// A live log stays scrolled to its end while the reader is at the end.
new MutationObserver(() => {
    for (const log of document.querySelectorAll("pre.log[data-follow]")) {
        if (log.scrollHeight - log.scrollTop - log.clientHeight < 120) {
            log.scrollTop = log.scrollHeight;
        }
    }
}).observe(document.body, { childList: true, subtree: true });
