using System.Text.Json;
using KbSr.Charts;
using KbSr.Training;

namespace KbSr.Tests.Charts;

public class TrainingCurvesTests
{
    private static StepReport Step(long step, double total) =>
        new(step, 10, TrainingPhase.Joint, 1e-4, new Dictionary<string, double> { ["total"] = total, ["sr"] = total / 2 },
            1, TimeSpan.Zero, TimeSpan.Zero);

    [Fact]
    public void Loss_HasOneLinePerTermWithTheReportedValues_TermsNoReportHoldsLeftOut()
    {
        var curves = new TrainingCurves { Terms = ["total", "sr", "kernelPca"] };
        curves.Add(Step(1, 0.8));
        curves.Add(Step(2, 0.4));
        using var doc = JsonDocument.Parse(curves.Loss().ToFigureJson());
        var data = doc.RootElement.GetProperty("data");
        Assert.Equal(2, data.GetArrayLength());   // kernelPca is in no report
        Assert.Equal("total", data[0].GetProperty("name").GetString());
        Assert.Equal(new[] { 1.0, 2.0 }, data[0].GetProperty("x").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal(new[] { 0.4, 0.2 }, data[1].GetProperty("y").EnumerateArray().Select(v => v.GetDouble()));
        Assert.Equal("log", doc.RootElement.GetProperty("layout").GetProperty("yaxis").GetProperty("type").GetString());
    }

    [Fact]
    public void Psnr_HasTheFinalSrAndOneLinePerStage()
    {
        var curves = new TrainingCurves();
        curves.Add(new ValidationReport(5, 25.0, [23.0, 24.0], 0.3, true));
        curves.Add(new ValidationReport(10, 26.0, [24.0, 25.5], 0.2, true));
        using var doc = JsonDocument.Parse(curves.Psnr().ToFigureJson());
        var data = doc.RootElement.GetProperty("data");
        Assert.Equal(["SR", "SR_1", "SR_2"], data.EnumerateArray().Select(d => d.GetProperty("name").GetString()));
        Assert.Equal(new[] { 24.0, 25.5 }, data[2].GetProperty("y").EnumerateArray().Select(v => v.GetDouble()));
    }
}
