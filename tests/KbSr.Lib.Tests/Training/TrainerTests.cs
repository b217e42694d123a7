using System.Globalization;
using KbSr.Degradation;
using KbSr.Imaging;
using KbSr.Model;
using KbSr.Training;

namespace KbSr.Tests.Training;

public sealed class TrainerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kbsr-trainer-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static TrainOptions Options(long steps) => new()
    {
        Model = KbSrConfig.Test, Steps = steps, BatchSize = 2, HrPatch = 16,
        Kernels = KernelDistribution.Isotropic(0.3, 1.5, KbSrConfig.Test.KernelSize),
        LearningRate = 1e-3, LrSchedule = "constant", ValidateEvery = 0, CheckpointEvery = 1_000, LogEvery = 1, Seed = 5,
    };

    private static HrImageCache Images()
    {
        var cache = new HrImageCache();
        using var chart = TestChart.Make(64);
        cache.Add(RgbImage.FromTensor(chart), "chart");
        return cache;
    }

    private static List<string> LossColumn(string run) =>
        File.ReadLines(Path.Combine(run, "metrics.csv")).Skip(1).Select(l => l.Split(',')[^1]).ToList(); // "total" sorts last

    [Fact]
    public void Resume_AfterHalfTheSteps_ReproducesTheUninterruptedLossesExactly()
    {
        using var images = Images();
        string whole = Path.Combine(_root, "whole"), split = Path.Combine(_root, "split");
        using (var t = Trainer.StartNew(Options(6), whole, images)) { t.Log = _ => { }; Assert.Equal(TrainingEnd.Completed, t.Run()); }
        using (var t = Trainer.StartNew(Options(3), split, images)) { t.Log = _ => { }; t.Run(); }
        using (var t = Trainer.Resume(split, images, overrides: Options(6)))
        {
            t.Log = _ => { };
            Assert.Equal(3, t.Step);
            t.Run();
        }
        var expected = LossColumn(whole);
        Assert.Equal(6, expected.Count);
        Assert.Equal(expected, LossColumn(split));  // bit-identical as printed with "R"
        Assert.NotEqual(expected[0], expected[5]);  // and the run did change the weights
    }

    [Fact]
    public void StartFrom_ACheckpointWithAdamState_ContinuesLikeTheUninterruptedRun()
    {
        using var images = Images();
        string whole = Path.Combine(_root, "whole"), first = Path.Combine(_root, "first"), second = Path.Combine(_root, "second");
        using (var t = Trainer.StartNew(Options(6), whole, images)) { t.Log = _ => { }; t.Run(); }
        using (var t = Trainer.StartNew(Options(3), first, images)) { t.Log = _ => { }; t.Run(); }
        using (var t = Trainer.StartFrom(Path.Combine(first, "checkpoints", "last.ckpt"), Options(6), second, images))
        {
            t.Log = _ => { };
            Assert.Equal(3, t.Step);
            t.Run();
        }
        // A new folder whose log starts at step 4 and holds exactly the uninterrupted run's steps 4–6.
        Assert.Equal(LossColumn(whole)[3..], LossColumn(second));
    }

    [Fact]
    public void StartFrom_WeightsWithoutAdamState_LoadsThemAndTheirStep_AndRejectsAnotherNetwork()
    {
        using var images = Images();
        string first = Path.Combine(_root, "first"), weights = Path.Combine(_root, "weights.ckpt");
        using (var t = Trainer.StartNew(Options(2), first, images)) { t.Log = _ => { }; t.Run(); }
        using (var checkpoint = Checkpoint.Read(Path.Combine(first, "checkpoints", "last.ckpt")))
        using (var net = checkpoint.CreateNetwork())
            Checkpoint.Save(weights, net, checkpoint.State, checkpoint.Pca);   // as `kbsr export` writes them

        var messages = new List<string>();
        using (var t = Trainer.StartFrom(weights, Options(4), Path.Combine(_root, "second"), images))
        using (var saved = Checkpoint.Read(weights))
        using (var reference = saved.CreateNetwork())
        {
            Assert.Equal(2, t.Step);
            var expected = reference.state_dict();
            foreach (var (name, tensor) in t.Net.state_dict())
                Assert.True(tensor.equal(expected[name]).all().item<bool>(), $"{name} was not loaded");
        }

        var other = Options(4) with { Model = KbSrConfig.Test with { Stages = KbSrConfig.Test.Stages + 1 } };
        var e = Assert.ThrowsAny<Exception>(() => Trainer.StartFrom(weights, other, Path.Combine(_root, "third"), images));
        Assert.Contains("stages", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<FileNotFoundException>(() => Trainer.StartFrom(Path.Combine(_root, "none.ckpt"), Options(4), Path.Combine(_root, "fourth"), images));
    }

    [Fact]
    public void StartNew_InAFolderHoldingARun_RefusesAndLeavesItAlone()
    {
        using var images = Images();
        string run = Path.Combine(_root, "run");
        using (var t = Trainer.StartNew(Options(1), run, images)) { t.Log = _ => { }; t.Run(); }
        byte[] before = File.ReadAllBytes(Path.Combine(run, "checkpoints", "last.ckpt"));
        var e = Assert.Throws<IOException>(() => Trainer.StartNew(Options(1), run, images));
        Assert.Contains("--resume", e.Message);
        Assert.Equal(before, File.ReadAllBytes(Path.Combine(run, "checkpoints", "last.ckpt")));
    }

    [Fact]
    public void Resume_AfterAHandEditOfTrainJson_IsRefusedNamingTheField_AndWorksOnceItIsPutBack()
    {
        using var images = Images();
        string run = Path.Combine(_root, "run");
        using (var t = Trainer.StartNew(Options(2), run, images)) { t.Log = _ => { }; t.Run(); }
        string file = Path.Combine(run, "train.json");
        string original = File.ReadAllText(file);
        File.WriteAllText(file, original.Replace("\"hrPatch\": 16", "\"hrPatch\": 24"));
        Assert.NotEqual(original, File.ReadAllText(file));
        var e = Assert.Throws<InvalidDataException>(() => Trainer.Resume(run, images, overrides: null));
        Assert.Contains("hrPatch is 24 there but was 16", e.Message);
        Assert.Contains(file, e.Message);
        File.WriteAllText(file, original);
        using (var t = Trainer.Resume(run, images, overrides: Options(3))) { t.Log = _ => { }; t.Run(); }   // steps may grow
        Assert.Equal(3, MetricRows(run).Count);
    }

    [Fact]
    public void Resume_WithMalformedMetricsLines_DropsThemAndGoesOn()
    {
        using var images = Images();
        string run = Path.Combine(_root, "run");
        using (var t = Trainer.StartNew(Options(2), run, images)) { t.Log = _ => { }; t.Run(); }
        string jsonl = Path.Combine(run, "metrics.jsonl");
        File.AppendAllText(jsonl, "{\"step\": \"x\"}\n[1, 2]\n{\"step\": 2.5}\n{\"loss\": 1}\n{\"step\": 99999999999999999999}\n");
        using (var t = Trainer.Resume(run, images, overrides: Options(3))) { t.Log = _ => { }; t.Run(); }
        var steps = File.ReadLines(jsonl).Select(l => System.Text.Json.JsonDocument.Parse(l).RootElement.GetProperty("step").GetInt64()).ToList();
        Assert.Equal([1, 2, 3], steps);
    }

    [Fact]
    public void Resume_FromATruncatedCheckpoint_FailsNamingTheFileAndKeepsIt()
    {
        using var images = Images();
        string run = Path.Combine(_root, "run");
        using (var t = Trainer.StartNew(Options(2), run, images)) { t.Log = _ => { }; t.Run(); }
        string last = Path.Combine(run, "checkpoints", "last.ckpt");
        byte[] full = File.ReadAllBytes(last);
        File.WriteAllBytes(last, full[..(full.Length / 2)]);
        var e = Assert.Throws<InvalidDataException>(() => Trainer.Resume(run, images, overrides: Options(4)));
        Assert.Contains(last, e.Message);
        Assert.Equal(full.Length / 2, new FileInfo(last).Length);
    }

    [Fact]
    public void TimeLimit_CountsTheRunsEarlierProcesses_AfterAResume()
    {
        using var images = Images();
        string run = Path.Combine(_root, "run");
        double first;
        using (var t = Trainer.StartNew(Options(3), run, images)) { t.Log = _ => { }; t.Run(); first = t.TrainingSeconds; }
        using (var checkpoint = Checkpoint.Read(Path.Combine(run, "checkpoints", "last.ckpt")))
        {
            double stored = checkpoint.State.Numbers["trainingSeconds"];
            Assert.True(stored > 0 && stored <= first, $"stored {stored} s, the process trained {first} s");
        }
        // A budget the first process already used up: the resumed run stops before its first step.
        using (var t = Trainer.Resume(run, images, overrides: Options(6) with { TimeLimitSeconds = first / 2 }))
        {
            t.Log = _ => { };
            Assert.Equal(TrainingEnd.TimeLimit, t.Run());
            Assert.Equal(3, t.Step);
            Assert.True(t.TrainingSeconds >= first / 2);
        }
        // A budget with time left: it trains on, and the stored count keeps growing.
        using (var t = Trainer.Resume(run, images, overrides: Options(6) with { TimeLimitSeconds = 3600 }))
        {
            t.Log = _ => { };
            Assert.Equal(TrainingEnd.Completed, t.Run());
            Assert.Equal(6, t.Step);
        }
        using var last = Checkpoint.Read(Path.Combine(run, "checkpoints", "last.ckpt"));
        Assert.True(last.State.Numbers["trainingSeconds"] > first, "the resumed process's time was not added");
    }

    [Fact]
    public void Run_WhenTheLossBecomesNonFinite_StopsAndKeepsTheLastGoodCheckpoint()
    {
        using var images = Images();
        string run = Path.Combine(_root, "run");
        // An absurd rate blows the weights up within a few steps; a checkpoint is written after every step.
        var options = Options(50) with { LearningRate = 1e12, CheckpointEvery = 1 };
        using var trainer = Trainer.StartNew(options, run, images);
        trainer.Log = _ => { };
        var e = Assert.Throws<NonFiniteLossException>(() => trainer.Run());
        Assert.Contains("last good state", e.Message);
        long failedAt = trainer.Step;
        Assert.True(failedAt < 50);
        using var checkpoint = Checkpoint.Read(Path.Combine(run, "checkpoints", "last.ckpt"));
        Assert.Equal(failedAt, checkpoint.State.Step);   // the step before the bad one, readable and whole
    }

    [Fact]
    public void Run_WithCancellation_WritesACheckpointAndReportsInterrupted()
    {
        using var images = Images();
        string run = Path.Combine(_root, "run");
        using var cancel = new CancellationTokenSource();
        using var trainer = Trainer.StartNew(Options(100), run, images);
        trainer.Log = _ => { };
        trainer.OnStep = r => { if (r.Step == 2) cancel.Cancel(); };
        Assert.Equal(TrainingEnd.Interrupted, trainer.Run(cancel.Token));
        using var checkpoint = Checkpoint.Read(Path.Combine(run, "checkpoints", "last.ckpt"));
        Assert.Equal(2, checkpoint.State.Step);
    }

    [Fact]
    public void LoadImages_OfAMissingSet_NamesIt()
    {
        var e = Assert.ThrowsAny<Exception>(() => Trainer.LoadImages(["NoSuchSet"], Options(1), dataRoot: _root));
        Assert.Contains("NoSuchSet", e.Message);
    }

    [Fact]
    public void StagedSchedule_PhasesFollowTheConfiguredLengths()
    {
        var options = Options(10) with { Schedule = "staged", SrPhaseSteps = 3, EstimatorPhaseSteps = 2 };
        var phases = Enumerable.Range(0, 7).Select(s => options.PhaseAt(s)).ToList();
        Assert.Equal([TrainingPhase.SrWithTrueKernels, TrainingPhase.SrWithTrueKernels, TrainingPhase.SrWithTrueKernels,
            TrainingPhase.EstimatorWithTrueHr, TrainingPhase.EstimatorWithTrueHr, TrainingPhase.Joint, TrainingPhase.Joint], phases);
    }

    [Fact]
    public void StagedRun_LogsEachPhaseAndTrainsThrough()
    {
        using var images = Images();
        string run = Path.Combine(_root, "run");
        var options = Options(5) with { Schedule = "staged", SrPhaseSteps = 2, EstimatorPhaseSteps = 2 };
        using (var t = Trainer.StartNew(options, run, images)) { t.Log = _ => { }; t.Run(); }
        var header = File.ReadLines(Path.Combine(run, "metrics.csv")).First().Split(',');
        int phase = Array.IndexOf(header, "phase");
        var logged = File.ReadLines(Path.Combine(run, "metrics.csv")).Skip(1)
            .Select(l => (int)double.Parse(l.Split(',')[phase], CultureInfo.InvariantCulture)).ToList();
        Assert.Equal([1, 1, 2, 2, 0], logged);
    }

    [Fact]
    public void StagedRun_SrPhase_FeedsTheTrueKernels_AndLeavesTheEstimatorsUntouched()
    {
        using var images = Images();
        string run = Path.Combine(_root, "run");
        var options = Options(3) with { Schedule = "staged", SrPhaseSteps = 3, EstimatorPhaseSteps = 0 };
        using var trainer = Trainer.StartNew(options, run, images);
        trainer.Log = _ => { };
        using var before = Parameters(trainer.Net);
        trainer.Run();

        // The kernel terms are logged unweighted: they are exactly 0 only if K_T is the batch's true kernel.
        var rows = MetricRows(run);
        Assert.Equal(3, rows.Count);
        Assert.All(rows, r => Assert.Equal((int)TrainingPhase.SrWithTrueKernels, (int)r["phase"]));
        Assert.All(rows, r => Assert.Equal(0.0, r["kernelFull"]));
        Assert.All(rows, r => Assert.Equal(0.0, r["kernelPca"]));
        // Nothing reaches the estimators (their output is replaced); the SR path does learn.
        AssertChanged(before, trainer.Net, name => !IsEstimator(name));
    }

    [Fact]
    public void StagedRun_EstimatorPhase_TrainsOnlyTheEstimators()
    {
        using var images = Images();
        string run = Path.Combine(_root, "run");
        var options = Options(3) with { Schedule = "staged", SrPhaseSteps = 0, EstimatorPhaseSteps = 3 };
        using var trainer = Trainer.StartNew(options, run, images);
        trainer.Log = _ => { };
        using var before = Parameters(trainer.Net);
        trainer.Run();
        Assert.All(MetricRows(run), r => Assert.Equal((int)TrainingPhase.EstimatorWithTrueHr, (int)r["phase"]));
        // With the SR terms weighted 0 and the pseudo-LR built from the true HR, every SR-path gradient is 0, so Adam
        // leaves those weights bit for bit as they were.
        AssertChanged(before, trainer.Net, IsEstimator);
    }

    [Fact]
    public void Resume_AfterACrashPastTheLastCheckpoint_LogsEveryStepOnce_AsTheUninterruptedRun()
    {
        using var images = Images();
        string whole = Path.Combine(_root, "whole"), crashed = Path.Combine(_root, "crashed");
        var options = Options(6) with { CheckpointEvery = 3 };
        using (var t = Trainer.StartNew(options, whole, images)) { t.Log = _ => { }; t.Run(); }

        // A crash after step 5 is logged but before any checkpoint after step 3: steps 4 and 5 are in the logs, and the
        // line being written for step 6 was cut short.
        using (var t = Trainer.StartNew(options, crashed, images))
        {
            t.Log = _ => { };
            t.OnStep = r => { if (r.Step == 5) throw new SimulatedCrashException(); };
            Assert.Throws<SimulatedCrashException>(() => t.Run());
        }
        using (var checkpoint = Checkpoint.Read(Path.Combine(crashed, "checkpoints", "last.ckpt")))
            Assert.Equal(3, checkpoint.State.Step);
        Assert.Equal(5, MetricRows(crashed).Count);
        File.AppendAllText(Path.Combine(crashed, "metrics.jsonl"), "{\"step\":6,\"kernelF");
        File.AppendAllText(Path.Combine(crashed, "metrics.csv"), "6,0.01");

        using (var t = Trainer.Resume(crashed, images))
        {
            t.Log = _ => { };
            Assert.Equal(3, t.Step);
            Assert.Equal(TrainingEnd.Completed, t.Run());
        }
        foreach (string file in new[] { "metrics.csv", "metrics.jsonl" })
            Assert.Equal(File.ReadAllText(Path.Combine(whole, file)), File.ReadAllText(Path.Combine(crashed, file)));
        Assert.Equal([1, 2, 3, 4, 5, 6], MetricRows(crashed).Select(r => (int)r["step"]));
    }

    private sealed class SimulatedCrashException : Exception;

    private static bool IsEstimator(string name) =>
        name.StartsWith("initial_estimator.", StringComparison.Ordinal) || name.Contains(".estimator.", StringComparison.Ordinal);

    /// <summary>Copies of every parameter, by name.</summary>
    private static ParameterCopies Parameters(KbSrNet net) =>
        new(net.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone()));

    private sealed record ParameterCopies(Dictionary<string, TorchSharp.torch.Tensor> Values) : IDisposable
    {
        public void Dispose() { foreach (var t in Values.Values) t.Dispose(); }
    }

    /// <summary>Asserts that exactly the parameters <paramref name="trained"/> selects differ from <paramref name="before"/>.</summary>
    private static void AssertChanged(ParameterCopies before, KbSrNet net, Func<string, bool> trained)
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        foreach (var (name, p) in net.named_parameters())
        {
            bool same = p.detach().equal(before.Values[name]).all().item<bool>();
            Assert.True(trained(name) != same, trained(name) ? $"{name} did not learn" : $"{name} changed although this phase does not train it");
        }
    }

    /// <summary>metrics.csv as one dictionary per row.</summary>
    private static List<Dictionary<string, double>> MetricRows(string run)
    {
        var lines = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
        var header = lines[0].Split(',');
        return lines.Skip(1).Where(l => l.Length > 0).Select(l => header.Zip(l.Split(','))
            .ToDictionary(p => p.First, p => double.Parse(p.Second, CultureInfo.InvariantCulture))).ToList();
    }
}
