using System.Runtime.CompilerServices;

namespace KbSr.Runtime;

/// <summary>
/// Keeps .NET's finalizer thread parked while torch work runs, so that no finalizer can free a native object that a
/// libtorch call is still reading.
/// </summary>
/// <remarks>
/// Why: TorchSharp 0.107 reads a wrapper's native handle and then calls libtorch, and nothing keeps the wrapper alive
/// during that call. Two kinds of wrapper become unreachable there: implicit <c>Scalar</c>s (a <c>double</c> where a
/// Scalar is expected — also inside TorchSharp itself: <c>a + b</c> calls <c>add(b, 1)</c>, Adam's step makes seven per
/// parameter) and tensor temporaries outside a dispose scope (<c>p.mul_(a.abs())</c>). A garbage collection started
/// by any other thread then lets the finalizer thread free the object mid-call: "Scalar::toFloat"/"Expected false to
/// be true" in Adam after hours of training, or SIGSEGV. Fixing each call site cannot reach TorchSharp's own internal
/// conversions, so the rule is global instead: while a gate is held, the single finalizer thread waits inside a
/// parked finalizer, so queued finalizers run only after the torch work is done, when nothing uses their handles.
/// Every loop that drives torch (a training step, an evaluated image, an inference tile) holds the gate per iteration,
/// and every such iteration also runs in a dispose scope. <c>kbsr runtime --gc-stress</c> reproduces the failure
/// without the gate and shows it gone with it.
/// Holds nest and may come from several threads; the first hold parks the finalizer thread (one gen-0 collection
/// and a hand-shake, well under a millisecond), the last release lets it go. Never call
/// <see cref="GC.WaitForPendingFinalizers"/> while holding the gate on the same thread: it would wait for itself.
/// </remarks>
public static class FinalizerGate
{
    private static readonly Lock Sync = new();
    private static int _holders;
    private static ManualResetEventSlim? _release;
    private static long _parks;

    /// <summary>How long the first hold waits for the finalizer thread before giving up with an error.</summary>
    public static TimeSpan ParkTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>True while some thread holds the gate.</summary>
    public static bool IsHeld { get { lock (Sync) return _holders > 0; } }

    /// <summary>How many times the finalizer thread was parked since the process started (for tests and diagnostics).</summary>
    public static long Parks => Interlocked.Read(ref _parks);

    /// <summary>Parks the finalizer thread (if not parked already) until the returned hold is disposed.</summary>
    public static Hold Enter()
    {
        lock (Sync)
        {
            if (_holders == 0) _release = Park();
            _holders++;
        }
        return new Hold();
    }

    private static void Exit()
    {
        lock (Sync)
        {
            if (_holders == 0) throw new InvalidOperationException("FinalizerGate released more often than entered");
            if (--_holders > 0) return;
            _release!.Set();
            _release = null;
        }
    }

    private static ManualResetEventSlim Park()
    {
        var release = new ManualResetEventSlim(false);
        var parked = new ManualResetEventSlim(false);
        var parker = CreateParker(release, parked);
        // The parker is garbage now. Collect until a collection has found it (the short weak reference clears then;
        // one gen-0 collection usually does, unless another thread's collection promoted it first), then wait for the
        // finalizer thread, which may first finish finalizers queued earlier, to reach it.
        for (int generation = 0; parker.IsAlive; generation = Math.Min(generation + 1, GC.MaxGeneration))
            GC.Collect(generation, GCCollectionMode.Forced, blocking: true);
        if (!parked.Wait(ParkTimeout))
        {
            release.Set();
            throw new TimeoutException($"the finalizer thread did not reach the gate within {ParkTimeout.TotalSeconds:F0} s " +
                                       "(a finalizer elsewhere is blocked?)");
        }
        parked.Dispose();
        Interlocked.Increment(ref _parks);
        return release;
    }

    // Not inlined, so that no strong reference to the parker survives in the caller's frame.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference CreateParker(ManualResetEventSlim release, ManualResetEventSlim parked) =>
        new(new Parker(release, parked), trackResurrection: false);

    /// <summary>A hold on the gate; dispose it when the torch work is done.</summary>
    public readonly struct Hold : IDisposable
    {
        public void Dispose() => Exit();
    }

    private sealed class Parker(ManualResetEventSlim release, ManualResetEventSlim parked)
    {
        ~Parker()
        {
            parked.Set();
            release.Wait();
            release.Dispose();
        }
    }
}
