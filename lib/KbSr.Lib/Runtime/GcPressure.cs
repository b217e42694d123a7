namespace KbSr.Runtime;

/// <summary>
/// Two background threads that force full collections in a loop, one of them also waiting for finalizers each time:
/// the worst case for the finalizer races that <see cref="FinalizerGate"/> closes (the second thread keeps collecting
/// while the first waits for a parked finalizer thread). Used by <c>kbsr runtime --gc-stress</c>,
/// <c>kbsr train --gc-stress</c> and the tests; never in normal runs. Dispose it where the gate is not held.
/// </summary>
public sealed class GcPressure : IDisposable
{
    private readonly Thread[] _threads;
    private readonly int _startCount = GC.CollectionCount(GC.MaxGeneration);
    private volatile bool _stop;

    public GcPressure()
    {
        _threads =
        [
            new Thread(() => Loop(waitForFinalizers: true)) { IsBackground = true, Name = "kbsr-gc-pressure-wait" },
            new Thread(() => Loop(waitForFinalizers: false)) { IsBackground = true, Name = "kbsr-gc-pressure" },
        ];
        foreach (var thread in _threads) thread.Start();
    }

    /// <summary>Full collections since this pressure started (by any thread).</summary>
    public long Collections => GC.CollectionCount(GC.MaxGeneration) - _startCount;

    private void Loop(bool waitForFinalizers)
    {
        while (!_stop)
        {
            GC.Collect();
            if (waitForFinalizers) GC.WaitForPendingFinalizers();
            else Thread.Sleep(10);  // a collection every 10 ms or so, without stalling every torch call behind one
        }
    }

    public void Dispose()
    {
        _stop = true;
        foreach (var thread in _threads) thread.Join();
    }
}
