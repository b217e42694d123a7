using KbSr.Training;
using Plotly.NET;

namespace KbSr.Charts;

/// <summary>
/// Collects a run's <see cref="StepReport"/>s and <see cref="ValidationReport"/>s (hook it to
/// <see cref="Trainer.OnStep"/> / <see cref="Trainer.OnValidation"/>) and draws them: the loss terms of eq. 3 over
/// steps, and the validation PSNR of the final SR and of every stage t. Notebook 03 redraws it live while training.
/// </summary>
public sealed class TrainingCurves
{
    private readonly List<StepReport> _steps = [];
    private readonly List<ValidationReport> _validations = [];

    /// <summary>The loss terms drawn (keys of <see cref="StepReport.Loss"/>).</summary>
    public IReadOnlyList<string> Terms { get; init; } = ["total", "sr", "pseudoLr", "kernelPca"];

    public IReadOnlyList<StepReport> Steps => _steps;
    public IReadOnlyList<ValidationReport> Validations => _validations;

    public void Add(StepReport report) => _steps.Add(report);

    public void Add(ValidationReport report) => _validations.Add(report);

    /// <summary>One line per loss term over the training step (log y axis: the terms differ by orders of magnitude);
    /// terms no report holds are left out.</summary>
    public GenericChart Loss(string title = "Training loss (eq. 3 terms)")
    {
        var x = _steps.Select(s => (double)s.Step).ToArray();
        var series = Terms.Where(term => _steps.Any(s => s.Loss.ContainsKey(term))).ToDictionary(term => term,
            term => ((IReadOnlyList<double>)x, (IReadOnlyList<double>)_steps.Select(s => s.Loss.GetValueOrDefault(term, double.NaN)).ToArray()));
        if (series.Count == 0) series["total"] = (x, x.Select(_ => double.NaN).ToArray());
        return Plotly.NET.CSharp.GenericChartExtensions.WithYAxisStyle<string, string, string>(
            CurveCharts.Lines(series, title, "step", "loss"), AxisType: StyleParam.AxisType.Log);
    }

    /// <summary>Validation PSNR (Y) of the final SR and of each stage's SR_t over the training step.</summary>
    public GenericChart Psnr(string title = "Validation PSNR (Y)")
    {
        var x = _validations.Select(v => (double)v.Step).ToArray();
        var series = new Dictionary<string, (IReadOnlyList<double>, IReadOnlyList<double>)> { ["SR"] = (x, _validations.Select(v => v.PsnrY).ToArray()) };
        int stages = _validations.Count == 0 ? 0 : _validations[0].StagePsnrY.Count;
        for (int t = 0; t < stages; t++)
        {
            int stage = t;
            series[$"SR_{t + 1}"] = (x, _validations.Select(v => v.StagePsnrY[stage]).ToArray());
        }
        return CurveCharts.Lines(series, title, "step", "PSNR (dB)", markers: true);
    }
}
