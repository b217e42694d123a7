using System.Collections.Concurrent;

namespace KbSr.Kernel.Execution;

/// <summary>
/// The thread cells run on. The kernel's shell thread waits for a cell here, so an interrupt can reach a cell
/// blocked in a call (README: interrupts reach blocked calls): <see cref="InterruptAndRetire"/> wakes a thread in
/// Sleep/Wait/Join/lock with <see cref="ThreadInterruptedException"/>. A thread that was interrupted is retired
/// (the next cell gets a fresh one), so an interrupt that arrives just after its cell ended cannot hit a later cell.
/// </summary>
internal sealed class CellThread
{
    // The main thread's stack size on Linux: deep recursion in a cell behaves as it did on the shell thread.
    private const int StackSize = 8 * 1024 * 1024;

    private readonly BlockingCollection<Action> _work = [];
    private readonly Thread _thread;

    public CellThread()
    {
        _thread = new Thread(Loop, StackSize) { IsBackground = true, Name = "kbsr-cell" };
        _thread.Start();
    }

    /// <summary>Runs <paramref name="work"/> on this thread; it must catch its own exceptions.</summary>
    public void Post(Action work) => _work.Add(work);

    /// <summary>Interrupts the running cell's blocking call and retires the thread.</summary>
    public void InterruptAndRetire()
    {
        _work.CompleteAdding();
        _thread.Interrupt();
    }

    private void Loop()
    {
        try
        {
            foreach (var work in _work.GetConsumingEnumerable()) work();
        }
        catch (ThreadInterruptedException)
        {
            // An interrupt that arrived after the cell returned: the thread was retired anyway.
        }
    }
}
