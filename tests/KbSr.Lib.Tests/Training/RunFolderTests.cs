using KbSr.Degradation;
using KbSr.Imaging;
using KbSr.Model;
using KbSr.Tests.Imaging;
using KbSr.Training;

namespace KbSr.Tests.Training;

/// <summary>The run folder as the single source of a run's settings, and as a place only one trainer writes.</summary>
public sealed class RunFolderTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kbsr-runfolder-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static TrainOptions Options(long steps, int patch = 16) => new()
    {
        Model = KbSrConfig.Test, Steps = steps, BatchSize = 2, HrPatch = patch,
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

    private string Train(string name, long steps, int patch = 16)
    {
        string run = Path.Combine(_root, name);
        using var images = Images();
        using var t = Trainer.StartNew(Options(steps, patch), run, images);
        t.Log = _ => { };
        t.Run();
        return run;
    }

    [Fact]
    public void Resume_WithAConflictingSetting_IsRefusedNamingBothValues_AndTrainJsonStaysAsItWas()
    {
        string run = Train("run", 2);
        string json = Path.Combine(run, "train.json");
        byte[] before = File.ReadAllBytes(json);
        using var images = Images();
        var e = Assert.Throws<ArgumentException>(() => Trainer.Resume(run, images, overrides: Options(4, patch: 32)));
        Assert.Contains("hrPatch is 16 there, 32 here", e.Message);
        Assert.Contains(json, e.Message);
        Assert.Equal(before, File.ReadAllBytes(json));

        // Repeating the stored values is fine, and more steps are allowed.
        using (var t = Trainer.Resume(run, images, overrides: Options(3))) Assert.Equal(2, t.Step);
        Assert.Equal(3, RunFolder.ReadOptions(run).Steps);
    }

    [Fact]
    public void Resume_ThatFailsOnTheCheckpoint_DoesNotRewriteTrainJson()
    {
        string run = Train("run", 2);
        string json = Path.Combine(run, "train.json"), last = Path.Combine(run, "checkpoints", "last.ckpt");
        byte[] before = File.ReadAllBytes(json);
        File.WriteAllBytes(last, File.ReadAllBytes(last)[..100]);
        using var images = Images();
        Assert.Throws<InvalidDataException>(() => Trainer.Resume(run, images, overrides: Options(4)));
        Assert.Equal(before, File.ReadAllBytes(json));     // still says 2 steps: the failed resume changed nothing
        Assert.False(File.Exists(Path.Combine(run, "train.lock")));
    }

    [Fact]
    public void StartFrom_WeightsOfAnotherNetwork_LeavesNoFolder_SoTheSameCommandCanRunAgain()
    {
        string first = Train("first", 1);
        string weights = Path.Combine(first, "checkpoints", "last.ckpt");
        string second = Path.Combine(_root, "second");
        using var images = Images();
        var other = Options(2) with { Model = KbSrConfig.Test with { Channels = 5 } };
        var e = Assert.ThrowsAny<Exception>(() => Trainer.StartFrom(weights, other, second, images));
        Assert.Contains("Channels", e.Message);
        Assert.False(Directory.Exists(second), "a failed --init left its folder behind");
        using var t = Trainer.StartFrom(weights, Options(2), second, images);   // the corrected command just works
        Assert.Equal(1, t.Step);
    }

    [Fact]
    public void ASecondTrainer_OnARunFolderInUse_IsRefusedNamingTheProcess()
    {
        string run = Path.Combine(_root, "run");
        using var images = Images();
        var first = Trainer.StartNew(Options(2), run, images);
        first.Log = _ => { };
        first.Run();
        try
        {
            var e = Assert.Throws<IOException>(() => Trainer.Resume(run, images, overrides: Options(4)));
            Assert.Contains($"process {Environment.ProcessId} is training", e.Message);
        }
        finally { first.Dispose(); }
        using var second = Trainer.Resume(run, images, overrides: Options(4));   // free once the first one is done
        Assert.Equal(2, second.Step);
    }

    [Fact]
    public void Resume_AfterAKilledTrainer_RemovesItsStaleLockAndLeftoverTemporaryFiles()
    {
        string run = Train("run", 2);
        // What `kill -9` leaves: the lock of a process that is gone, and half a checkpoint under a temporary name.
        const int gone = int.MaxValue;   // above any Linux pid_max: no such process
        File.WriteAllText(Path.Combine(run, "train.lock"), $$"""{"Pid":{{gone}},"StartTicks":1,"Machine":"{{Environment.MachineName}}"}""");
        string stale = Path.Combine(run, "checkpoints", $".last.ckpt.{gone}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(stale, new byte[1000]);
        string live = Path.Combine(run, "checkpoints", $".best.ckpt.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(live, new byte[10]);          // a live writer's file stays

        using var images = Images();
        using (var t = Trainer.Resume(run, images, overrides: Options(3)))
        {
            Assert.Equal(2, t.Step);
            Assert.True(File.Exists(Path.Combine(run, "train.lock")));
            Assert.Contains(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                File.ReadAllText(Path.Combine(run, "train.lock")));
        }
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(live));
        Assert.False(File.Exists(Path.Combine(run, "train.lock")));   // released on dispose
    }

    [Fact]
    public void Resume_WithImagesLoadedForAnotherPatchOrOtherSets_IsRefused()
    {
        // The bug this guards: the CLI filtered the images with its own default patch, not the run's.
        string data = Path.Combine(_root, "data");
        foreach (var (set, size) in new[] { ("A", 100), ("A", 40), ("B", 100) })
            ImageFile.WritePng(TestImages.Random(size, size, seed: size), Path.Combine(data, set, $"img{size}.png"));
        var options = Options(2, patch: 32) with { Data = ["A"] };
        string run = Path.Combine(_root, "run");
        using (var images = Trainer.LoadImages(options, data))
        using (var t = Trainer.StartNew(options, run, images)) { t.Log = _ => { }; t.Run(); }
        Assert.Equal(["A"], RunFolder.ReadOptions(run).Data);

        using (var wrongFilter = Trainer.LoadImages(options with { HrPatch = 96 }, data))
            Assert.Contains("96-pixel patch", Assert.Throws<ArgumentException>(() => Trainer.Resume(run, wrongFilter)).Message);
        using (var wrongSets = Trainer.LoadImages(options with { Data = ["B"] }, data))
            Assert.Contains("come from B", Assert.Throws<ArgumentException>(() => Trainer.Resume(run, wrongSets)).Message);
        using (var right = Trainer.LoadImages(RunFolder.ReadOptions(run), data))
        using (var t = Trainer.Resume(run, right)) Assert.Equal(2, t.Step);
    }

    [Fact]
    public void ResumeOptions_AcceptsRepeatsAndMoreSteps_AndFillsInDataOnlyWhereTheRunDidNotRecordIt()
    {
        var stored = Options(10) with { Data = ["T91"] };
        Assert.Equal(stored with { Steps = 20 }, RunFolder.ResumeOptions(stored, stored with { Steps = 20 }, "train.json"));
        Assert.Equal(stored, RunFolder.ResumeOptions(stored, stored with { Steps = 5 }, "train.json"));  // never fewer steps
        Assert.Equal(stored, RunFolder.ResumeOptions(stored, stored with { Data = [] }, "train.json"));  // not said: the run's
        var old = stored with { Data = [] };   // a run folder from before data was recorded
        Assert.Equal(["T91"], RunFolder.ResumeOptions(old, stored, "train.json").Data);
        var e = Assert.Throws<ArgumentException>(() => RunFolder.ResumeOptions(stored, stored with { Data = ["T91", "BSDS200"] }, "x/train.json"));
        Assert.Contains("""data is ["T91"] there, ["T91","BSDS200"] here""", e.Message);
    }

    [Fact]
    public void ForModel_GivesTrainingKernelsOfTheNetworksSize_SoTheTestPresetTrains()
    {
        TrainOptions.ForModel(KbSrConfig.Test).Validate();
        Assert.Equal(KernelDistribution.Paper with { KernelSize = 5 }, TrainOptions.ForModel(KbSrConfig.Test).Kernels);
        var e = Assert.Throws<ArgumentException>(() => new TrainOptions { Model = KbSrConfig.Test }.Validate());
        Assert.Contains("kernels.kernelSize=5", e.Message);
    }

    [Fact]
    public void Validate_APatchSmallerThanTheKernelsReach_IsRefusedNamingBoth()
    {
        var e = Assert.Throws<ArgumentException>(() => (TrainOptions.ForModel(KbSrConfig.Small) with { HrPatch = 8 }).Validate());
        Assert.Contains("hrPatch 8 must be larger than 10", e.Message);
        (TrainOptions.ForModel(KbSrConfig.Small) with { HrPatch = 12 }).Validate();
    }
}
