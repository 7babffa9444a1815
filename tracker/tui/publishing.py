"""Publishing from the app: a key that syncs, the count of commits waiting to be pushed (in the header's
subtitle), and a sync on quit when pushing is configured, never waiting longer than one push may take.

A mixin for TrackerApp, so that the App itself stays wiring. Git runs in thread workers; widgets are only
touched back on the event loop.
"""

from __future__ import annotations

import asyncio
import threading

from textual import work

from tracker.errors import TrackerError
from tracker.publish.gitops import PUSH_TIMEOUT


class Publishing:
    QUIT_SYNC_TIMEOUT = float(PUSH_TIMEOUT)
    unpushed: int | None = None
    syncing: bool = False
    quit_sync = None  # what the sync on quit returned (None when it ran out of time)

    def waiting_text(self) -> str:
        """The subtitle's part about git: syncing, or how many commits wait and the key that pushes them."""
        if self.syncing:
            return " · syncing…"
        if self.unpushed:
            return f" · ↑ {self.unpushed} commit{'s' if self.unpushed != 1 else ''} to push (p)"
        return ""

    @work(thread=True, exclusive=True, group="unpushed", exit_on_error=False)
    def count_unpushed(self) -> None:
        count = self.tracker.unpushed()
        self.call_from_thread(self._show_unpushed, count)

    def _show_unpushed(self, count: int | None) -> None:
        self.unpushed = count
        self.sub_title = self._subtitle()

    def _sync_now(self):
        """Commit and push (in a thread); the SyncResult, or the error that stopped it."""
        try:
            return self.tracker.sync()
        except TrackerError as exc:
            return exc

    def action_sync(self) -> None:
        if self.syncing:
            return
        self.flush_session()
        self.syncing = True
        self.sub_title = self._subtitle()
        self.run_worker(self._sync_then_show, thread=True, exclusive=True, group="sync", exit_on_error=False)

    def _sync_then_show(self) -> None:
        result = self._sync_now()
        self.call_from_thread(self._synced, result)

    def _synced(self, result) -> None:
        self.syncing = False
        if isinstance(result, Exception):
            self.notify(str(result), title="Not synced", severity="error", timeout=12)
        else:
            for note in result.notes:
                self.notify(note, title="Look at this", severity="warning", timeout=15)
            failed = result.refused or not result.pushed
            self.notify(result.message, title="Not synced" if failed else "Synced",
                        severity="error" if result.refused else ("warning" if failed else "information"), timeout=10)
        self.count_unpushed()

    async def sync_on_quit(self) -> None:
        """With pushing configured, sync before closing, for at most QUIT_SYNC_TIMEOUT seconds; a sync still
        running then is left to finish on its own, and anything not pushed goes with the next sync."""
        git = self.tracker.config.git
        if not git.push or git.commit == "off" or self.syncing:
            return
        self.syncing = True
        self.sub_title = self._subtitle()
        loop = asyncio.get_running_loop()
        done: asyncio.Future = loop.create_future()

        def run() -> None:
            result = self._sync_now()
            try:
                loop.call_soon_threadsafe(lambda: done.done() or done.set_result(result))
            except RuntimeError:  # the app has closed already: nothing is waiting for the answer
                pass

        # A daemon thread: a push still hanging when the app closes does not hold the process open.
        threading.Thread(target=run, name="sync-on-quit", daemon=True).start()
        try:
            self.quit_sync = await asyncio.wait_for(done, self.QUIT_SYNC_TIMEOUT)
        except asyncio.TimeoutError:
            self.quit_sync = None
