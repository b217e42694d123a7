using System.Runtime.CompilerServices;
using KbSr.Runtime;

namespace KbSr.Tests.Runtime;

/// <summary>The gate's contract: while any hold is open, no finalizer runs; once the last hold closes, queued
/// finalizers run. Checked with objects whose finalizers signal an event.</summary>
public class FinalizerGateTests
{
    private sealed class Signalling(ManualResetEventSlim finalized)
    {
        ~Signalling() => finalized.Set();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void Drop(ManualResetEventSlim finalized) => _ = new Signalling(finalized);

    // Collect until the object is queued; no finalizer may run within the grace period while the gate is held.
    private static bool FinalizedWithin(ManualResetEventSlim finalized, int milliseconds)
    {
        for (int i = 0; i < milliseconds / 10; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true);
            if (finalized.Wait(10)) return true;
        }
        return finalized.IsSet;
    }

    [Fact]
    public void Gate_WhileHeld_NoFinalizerRuns_AfterRelease_ItDoes()
    {
        using var finalized = new ManualResetEventSlim(false);
        using (FinalizerGate.Enter())
        {
            Assert.True(FinalizerGate.IsHeld);
            Drop(finalized);
            Assert.False(FinalizedWithin(finalized, 500), "a finalizer ran while the gate was held");
        }
        Assert.False(FinalizerGate.IsHeld);
        Assert.True(FinalizedWithin(finalized, 30_000), "the finalizer did not run after the gate was released");
    }

    [Fact]
    public void Gate_Nested_ReleasesOnlyAtTheOutermostHold()
    {
        using var finalized = new ManualResetEventSlim(false);
        long parks = FinalizerGate.Parks;
        using (FinalizerGate.Enter())
        {
            using (FinalizerGate.Enter()) Drop(finalized);
            Assert.False(FinalizedWithin(finalized, 300), "the inner release let a finalizer run");
            Assert.Equal(parks + 1, FinalizerGate.Parks);   // one park for both holds
        }
        Assert.True(FinalizedWithin(finalized, 30_000));
    }

    [Fact]
    public void Gate_HeldByTwoThreads_StaysClosedUntilBothRelease()
    {
        using var finalized = new ManualResetEventSlim(false);
        using var otherHolds = new ManualResetEventSlim(false);
        using var otherMayRelease = new ManualResetEventSlim(false);
        var other = new Thread(() =>
        {
            using (FinalizerGate.Enter())
            {
                otherHolds.Set();
                otherMayRelease.Wait();
            }
        });
        other.Start();
        Assert.True(otherHolds.Wait(30_000));
        using (FinalizerGate.Enter()) Drop(finalized);
        Assert.False(FinalizedWithin(finalized, 300), "released while another thread still held the gate");
        otherMayRelease.Set();
        other.Join();
        Assert.True(FinalizedWithin(finalized, 30_000));
    }

    [Fact]
    public void Gate_ReleasedMoreOftenThanEntered_Throws()
    {
        var hold = FinalizerGate.Enter();
        hold.Dispose();
        Assert.Throws<InvalidOperationException>(() => hold.Dispose());
    }
}
