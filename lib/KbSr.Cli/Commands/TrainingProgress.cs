using System.Globalization;
using KbSr.Training;
using Spectre.Console;

namespace KbSr.Cli.Commands;

/// <summary>Shows training progress: a Spectre.Console bar with loss, it/s and ETA on a terminal; one plain
/// line per logged step when the output is redirected (Spectre draws nothing then). The ETA is smoothed
/// (<see cref="SmoothedEta"/>); "loss" is eq. 3 without the constant ‖K‖₁ = 1 term (docs/method.md §4).</summary>
internal sealed class TrainingProgress
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly SmoothedEta _eta = new();

    public const string LossNote = "loss = eq. 3 without the constant ‖K‖₁ = 1 term (logged as totalLessKernelNorm; total keeps it)";

    public TrainingEnd Run(Trainer trainer, long totalSteps, CancellationToken cancel)
    {
        if (trainer.Network is Model.KbSrNet) Console.WriteLine(LossNote);   // the baselines log their own loss as "loss"
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            trainer.OnStep = r => Console.WriteLine(Line(r));
            trainer.OnValidation = v => Console.WriteLine(Validation(v));
            return trainer.Run(cancel);
        }
        TrainingEnd end = TrainingEnd.Completed;
        AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("training", maxValue: totalSteps);
                task.Value = trainer.Step;
                trainer.OnStep = r =>
                {
                    task.Value = r.Step;
                    task.Description = Markup.Escape($"step {r.Step} loss {Loss(r).ToString("0.0000", Inv)} " +
                                                     $"{r.StepsPerSecond.ToString("0.00", Inv)} it/s, ETA {Eta(r)}");
                };
                trainer.OnValidation = v => AnsiConsole.MarkupLine(Markup.Escape(Validation(v)));
                trainer.Log = m => AnsiConsole.MarkupLine(Markup.Escape(m));
                end = trainer.Run(cancel);
            });
        return end;
    }

    private static double Loss(StepReport r) => r.Loss.TryGetValue("totalLessKernelNorm", out double v) ? v : r.Loss["total"];

    private string Eta(StepReport r) => _eta.Update(r.Step, r.TotalSteps, r.Elapsed) is { } left ? Clock(left) : "…";

    private static string Clock(TimeSpan t) => t.TotalHours >= 24 ? $"{(int)t.TotalDays}d {t:hh\\:mm\\:ss}" : t.ToString("hh\\:mm\\:ss", Inv);

    private string Line(StepReport r) =>
        $"step {r.Step}/{r.TotalSteps} [{r.Phase}] lr {r.LearningRate.ToString("0.###e+0", Inv)} loss {Loss(r).ToString("0.00000", Inv)} | " +
        string.Join(" ", r.Loss.Where(kv => kv.Key is not ("totalLessKernelNorm")).Select(kv => $"{kv.Key}={kv.Value.ToString("0.00000", Inv)}")) +
        $" | {r.StepsPerSecond.ToString("0.00", Inv)} it/s, elapsed {Clock(r.Elapsed)}, ETA {Eta(r)}";

    private static string Validation(ValidationReport v) =>
        $"validation @ {v.Step}: PSNR-Y {v.PsnrY.ToString("0.000", Inv)} dB" +
        (v.StagePsnrY.Count > 0 ? $" (stages {string.Join(" ", v.StagePsnrY.Select(p => p.ToString("0.00", Inv)))})" : "") +
        (double.IsFinite(v.KernelL1) ? $", kernel L1 {v.KernelL1.ToString("0.000", Inv)}" : "") +   // none given the true kernel
        (v.Best ? " — best so far" : "");
}
