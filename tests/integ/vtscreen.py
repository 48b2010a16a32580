"""A small VT100 screen for tests: feed it what a curses program writes
to a pseudo-terminal (TERM=vt100) and read the text on the screen.
Handles what ncurses emits for vt100: cursor addressing and motion,
erasing, scrolling regions, attributes and charsets (ignored)."""

import re

CSI = re.compile(r"\x1b\[([?0-9;]*)([@-~])")
PARTIAL = re.compile(r"\x1b\[[?0-9;]*$")


class Screen:
    def __init__(self, rows, cols):
        self.rows, self.cols = rows, cols
        self.y = self.x = 0
        self.saved = (0, 0)
        self.top, self.bottom = 0, rows - 1
        self.grid = [[" "] * cols for _ in range(rows)]
        self.pending = ""

    def text(self):
        return ["".join(r).rstrip() for r in self.grid]

    def _erase_line(self, y, x0, x1):
        for x in range(max(0, x0), min(self.cols, x1)):
            self.grid[y][x] = " "

    def _scroll_up(self):
        del self.grid[self.top]
        self.grid.insert(self.bottom, [" "] * self.cols)

    def _newline(self):
        if self.y == self.bottom:
            self._scroll_up()
        else:
            self.y = min(self.rows - 1, self.y + 1)

    def _put(self, ch):
        if self.x >= self.cols:
            self.x = 0
            self._newline()
        self.grid[self.y][self.x] = ch
        self.x += 1

    def _csi(self, params, final):
        private = params.startswith("?")
        nums = [int(p) if p.isdigit() else 0 for p in params.lstrip("?").split(";")]
        n = nums[0] or 1
        if private or final in "hlm":
            return
        if final in "Hf":
            self.y = min(self.rows - 1, max(0, (nums[0] or 1) - 1))
            self.x = min(self.cols - 1, max(0, ((nums[1] if len(nums) > 1 else 0) or 1) - 1))
        elif final == "A":
            self.y = max(0, self.y - n)
        elif final == "B":
            self.y = min(self.rows - 1, self.y + n)
        elif final == "C":
            self.x = min(self.cols - 1, self.x + n)
        elif final == "D":
            self.x = max(0, self.x - n)
        elif final == "K":
            mode = nums[0]
            x0, x1 = {0: (self.x, self.cols), 1: (0, self.x + 1)}.get(mode, (0, self.cols))
            self._erase_line(self.y, x0, x1)
        elif final == "J":
            mode = nums[0]
            if mode == 0:
                self._erase_line(self.y, self.x, self.cols)
                for y in range(self.y + 1, self.rows):
                    self._erase_line(y, 0, self.cols)
            elif mode == 1:
                for y in range(0, self.y):
                    self._erase_line(y, 0, self.cols)
                self._erase_line(self.y, 0, self.x + 1)
            else:
                for y in range(self.rows):
                    self._erase_line(y, 0, self.cols)
        elif final == "r":
            self.top = (nums[0] or 1) - 1
            self.bottom = ((nums[1] if len(nums) > 1 else 0) or self.rows) - 1
            self.y = self.x = 0

    def feed(self, data):
        s = self.pending + data
        self.pending = ""
        i = 0
        while i < len(s):
            ch = s[i]
            if ch == "\x1b":
                m = CSI.match(s, i)
                if m:
                    self._csi(m.group(1), m.group(2))
                    i = m.end()
                    continue
                if i + 1 >= len(s) or (s[i + 1] in "()" and i + 2 >= len(s)):
                    self.pending = s[i:]
                    return
                if s[i + 1] == "[":
                    if PARTIAL.match(s, i):
                        self.pending = s[i:]  # the rest comes next read
                        return
                    i += 2                    # malformed: skip it
                    continue
                nxt = s[i + 1]
                if nxt in "()":
                    i += 3
                    continue
                if nxt == "7":
                    self.saved = (self.y, self.x)
                elif nxt == "8":
                    self.y, self.x = self.saved
                elif nxt == "M":
                    if self.y == self.top:
                        del self.grid[self.bottom]
                        self.grid.insert(self.top, [" "] * self.cols)
                    else:
                        self.y = max(0, self.y - 1)
                elif nxt == "D":
                    self._newline()
                elif nxt == "E":
                    self.x = 0
                    self._newline()
                i += 2
                continue
            if ch == "\r":
                self.x = 0
            elif ch == "\n":
                self._newline()
            elif ch == "\b":
                self.x = max(0, self.x - 1)
            elif ch == "\t":
                self.x = min(self.cols - 1, (self.x // 8 + 1) * 8)
            elif ch >= " " and ch != "\x7f":
                self._put(ch)
            i += 1
