/** Progress on stderr while a command waits. */

/** A progress line on stderr: a spinner rewriting one line on a terminal, plain lines elsewhere. */
export function progressLine(): { update: (line: string) => void; done: () => void } {
    const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
    const tty = process.stderr.isTTY;
    let frame = 0;
    let current = "";
    const draw = () =>
        process.stderr.write(`\r\u001b[2K${frames[frame++ % frames.length] ?? ""} ${current}`);
    const timer = tty ? setInterval(draw, 100) : undefined;
    return {
        update: (line) => {
            current = line;
            if (!tty) process.stderr.write(`${line}\n`);
        },
        done: () => {
            if (timer) clearInterval(timer);
            if (tty) process.stderr.write("\r\u001b[2K");
        },
    };
}
