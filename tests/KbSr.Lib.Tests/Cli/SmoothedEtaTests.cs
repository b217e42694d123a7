using KbSr.Cli.Commands;

namespace KbSr.Tests.Cli;

public class SmoothedEtaTests
{
    [Fact]
    public void ConstantRate_GivesTheExactRemainingTime_AfterTheFirstInterval()
    {
        var eta = new SmoothedEta();
        Assert.Null(eta.Update(10, 1000, TimeSpan.FromSeconds(5)));                 // one report: no interval yet
        var left = eta.Update(20, 1000, TimeSpan.FromSeconds(10))!.Value;           // 0.5 s/step, 980 steps left
        Assert.Equal(490, left.TotalSeconds, 6);
        Assert.Equal(485, eta.Update(30, 1000, TimeSpan.FromSeconds(15))!.Value.TotalSeconds, 6);
    }

    [Fact]
    public void AlternatingFastAndSlowIntervals_DoNotMakeTheEtaJump()
    {
        // Reports every 10 steps; the intervals alternate 10 s and 30 s (1 and 3 s/step): the last-interval
        // estimate jumps ×3 at every report, the smoothed one must settle near the mean of 2 s/step.
        var eta = new SmoothedEta();
        double t = 0;
        var estimates = new List<double>();
        for (int i = 1; i <= 60; i++)
        {
            t += i % 2 == 0 ? 30 : 10;
            if (eta.Update(i * 10, 10_000, TimeSpan.FromSeconds(t)) is { } left) estimates.Add(left.TotalSeconds / (10_000 - i * 10));
        }
        var late = estimates.Skip(30).ToList();
        for (int i = 1; i < late.Count; i++)
            Assert.True(Math.Abs(late[i] / late[i - 1] - 1) < 0.25, $"ETA moved from {late[i - 1]:F2} to {late[i]:F2} s/step");
        Assert.InRange(late.Average(), 1.7, 2.3);
    }

    [Fact]
    public void OneSlowInterval_MovesTheEtaByLessThanItsOwnRate()
    {
        var eta = new SmoothedEta();
        double t = 0;
        for (int i = 1; i <= 20; i++) eta.Update(i * 10, 1000, TimeSpan.FromSeconds(t += 10));   // 1 s/step
        double before = eta.SecondsPerStep!.Value;
        eta.Update(210, 1000, TimeSpan.FromSeconds(t += 60));                                     // a validation: 6 s/step
        Assert.Equal(1, before, 6);
        Assert.InRange(eta.SecondsPerStep!.Value, 1.1, 3.0);
    }
}
