using KbSr.Training;

namespace KbSr.Tests.Training;

public class LearningRateScheduleTests
{
    [Fact]
    public void Constant_IsTheSameAtEveryStep()
    {
        var schedule = new LearningRateSchedule("constant", 2e-4);
        Assert.Equal(2e-4, schedule.At(0));
        Assert.Equal(2e-4, schedule.At(1_000_000));
    }

    [Theory]
    [InlineData(0, 1e-4)]
    [InlineData(99, 1e-4)]
    [InlineData(100, 5e-5)]
    [InlineData(199, 5e-5)]
    [InlineData(200, 2.5e-5)]
    [InlineData(350, 1.25e-5)]
    public void Step_HalvesEveryStepEvery(long step, double expected)
    {
        var schedule = new LearningRateSchedule("step", 1e-4, StepEvery: 100, Gamma: 0.5);
        Assert.Equal(expected, schedule.At(step), 15);
    }

    [Fact]
    public void Cosine_StartsAtTheRateEndsAtTheFloorAndPassesTheMeanHalfway()
    {
        var schedule = new LearningRateSchedule("cosine", 1e-3, MinLearningRate: 1e-5, TotalSteps: 1000);
        Assert.Equal(1e-3, schedule.At(0), 15);
        Assert.Equal(5.05e-4, schedule.At(500), 15);                      // (1e-3 + 1e-5) / 2
        Assert.Equal(1e-5, schedule.At(1000), 15);
        Assert.Equal(1e-5, schedule.At(5000), 15);                        // stays at the floor after the run
        // a quarter of the way: min + (max − min)(1 + cos(π/4))/2
        Assert.Equal(1e-5 + 0.99e-3 * (1 + Math.Sqrt(0.5)) / 2, schedule.At(250), 15);
        Assert.True(schedule.At(100) > schedule.At(101));
    }

    [Fact]
    public void At_WithUnknownKindOrIncompleteCosine_ThrowsNamingTheProblem()
    {
        var e = Assert.Throws<ArgumentException>(() => new LearningRateSchedule("linear", 1e-4).At(0));
        Assert.Contains("'linear'", e.Message);
        var cosine = Assert.Throws<ArgumentException>(() => new LearningRateSchedule("cosine", 1e-4).At(0));
        Assert.Contains("TotalSteps", cosine.Message);
    }
}
