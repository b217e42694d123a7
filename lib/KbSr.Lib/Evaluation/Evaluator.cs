using KbSr.Data;
using KbSr.Imaging;
using KbSr.Runtime;
using static TorchSharp.torch;

namespace KbSr.Evaluation;

/// <summary>
/// Runs the benchmark protocol of docs/method.md §6 for several super-resolvers on the very same LR
/// inputs: HR mod-crop, deterministic LR synthesis (or LR files from <see cref="EvalOptions.LrDir"/>),
/// PSNR/SSIM on Y with an s-pixel shave, per-stage PSNR and kernel error when the method gives them.
/// <para>An image that cannot be evaluated (unreadable, too small, a method failing on it) never costs the work already
/// done: without <see cref="KeepGoing"/> the run stops with an <see cref="EvaluationStoppedException"/> that carries
/// the finished scores; with it, the image is skipped and listed in <see cref="EvalResults.Skipped"/>.</para>
/// </summary>
public sealed class Evaluator(EvalOptions options, Device? device = null)
{
    private readonly Device _device = device ?? CPU;

    /// <summary>Skip images that fail (and report them) instead of stopping at the first one.</summary>
    public bool KeepGoing { get; init; }

    /// <summary>Called when an image is skipped (<see cref="KeepGoing"/>).</summary>
    public Action<SkippedImage>? OnSkipped { get; init; }

    /// <summary>Called after each image × σ with the scores just computed (for progress bars).</summary>
    public Action<IReadOnlyList<ImageScore>>? OnImage { get; init; }

    /// <summary>If set, every image × σ is recorded here as it finishes, and those it already holds (a resumed run) are
    /// taken from it instead of being evaluated again. The caller completes or keeps it.</summary>
    public EvalJournal? Journal { get; init; }

    /// <summary>If set, SR images are written here as PNG ({method}/{set}/x{s}_sigma{σ}/{image}.png).</summary>
    public string? SaveImagesTo { get; init; }

    public EvalResults Run(IReadOnlyList<ISuperResolver> methods)
    {
        if (methods.Count == 0) throw new ArgumentException("no method to evaluate");
        options.Validate();
        var scores = new List<ImageScore>();
        var skipped = new List<SkippedImage>();
        foreach (string set in options.Sets)
        {
            IReadOnlyList<string> files;
            try { files = DatasetSplit.Images(set, options.DataRoot); }
            catch (Exception e) when (e is IOException or InvalidDataException && (scores.Count > 0 || skipped.Count > 0))
            {
                // A later set is missing: what the earlier sets gave is kept, as for a bad image.
                var skip = new SkippedImage(set, set, null, e.Message);
                if (!KeepGoing) throw new EvaluationStoppedException(new EvalResults(scores, options.Gaussian8, skipped, stoppedAt: skip), skip, e);
                skipped.Add(skip);
                OnSkipped?.Invoke(skip);
                continue;
            }
            if (options.MaxImages > 0) files = files.Take(options.MaxImages).ToList();
            foreach (string file in files)
            {
                string name = Path.GetFileNameWithoutExtension(file);
                double? at = null;
                try
                {
                    RgbImage? hrImage = null;    // read only when some σ of this image is not in the journal
                    foreach (double sigma in options.EffectiveSigmas)
                    {
                        var step = Journal?.Find(set, name, sigma);
                        if (step is null)
                        {
                            if (hrImage is null)
                            {
                                hrImage = options.ApplyCenterCrop(ImageFile.Read(file).ModCrop(options.Scale));
                                options.CheckSize(hrImage, file);
                            }
                            at = sigma;
                            step = EvaluateOne(set, file, hrImage, sigma, methods);
                            Journal?.Append(step);
                        }
                        scores.AddRange(step);
                        OnImage?.Invoke(step);
                    }
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    var skip = new SkippedImage(set, file, at, FailureMessage(e, file));
                    if (!KeepGoing)
                        throw new EvaluationStoppedException(new EvalResults(scores, options.Gaussian8, skipped, stoppedAt: skip), skip, e);
                    // The σ already done for this image stay: each row is a whole image × σ evaluation.
                    skipped.Add(skip);
                    OnSkipped?.Invoke(skip);
                }
            }
        }
        return new EvalResults(scores, options.Gaussian8, skipped)
        {
            Costs = methods.OfType<ICostedSuperResolver>().ToDictionary(m => m.Name, m => m.Cost),
        };
    }

    // Messages that already name the file stay as they are; others get it in front.
    private static string FailureMessage(Exception e, string file) =>
        e.Message.Contains(file, StringComparison.Ordinal) ? e.Message : $"{file}: {e.Message}";

    private List<ImageScore> EvaluateOne(string set, string file, RgbImage hrImage, double sigma,
        IReadOnlyList<ISuperResolver> methods)
    {
        using var gate = FinalizerGate.Enter();
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        string name = Path.GetFileNameWithoutExtension(file);
        var hr = hrImage.ToTensor(_device);                                    // [3,H,W]
        var lr = LoadOrMakeLr(set, name, hr, sigma);                           // [1,3,h,w]
        var trueKernel = TestSetSynthesis.TrueKernel(sigma, options.KernelSize, _device);
        int shave = options.Scale;
        var rows = new List<ImageScore>();
        foreach (var method in methods)
        {
            using var result = method is IKernelGivenSuperResolver given
                ? given.SuperResolve(lr, options.Scale, trueKernel)                  // non-blind: given the true kernel
                : method.SuperResolve(lr, options.Scale);
            var sr = result.Sr[0];
            if (sr.shape[1] != hr.shape[1] || sr.shape[2] != hr.shape[2])
                throw new InvalidOperationException(
                    $"{method.Name} on {file}: SR is {sr.shape[2]}×{sr.shape[1]}, HR is {hr.shape[2]}×{hr.shape[1]}");
            rows.Add(Score(method.Name, set, sigma, name, result, hr, hrImage.WasGrey, trueKernel, shave));
            if (SaveImagesTo is not null)
            {
                string folder = TestSetSynthesis.Folder(Path.Combine(SaveImagesTo, Sanitize(method.Name)), set, options.Scale, sigma);
                ImageFile.WritePng(RgbImage.FromTensor(sr, hrImage.WasGrey), Path.Combine(folder, name + ".png"));
                if (result.Kernel is { } estimated)
                    ImageFile.WritePng(KernelImage.ToImage(estimated), Path.Combine(folder, name + "_kernel.png"));
            }
        }
        return rows;
    }

    /// <summary>The scores of one result on one image, as every evaluation reports them (and `kbsr demo` prints them):
    /// PSNR and SSIM on Y with a <paramref name="shave"/>-pixel crop, per-stage PSNR, and Σ|K − K_true| and the kernel
    /// MSE (float64) when the method estimated a kernel of the true kernel's size.</summary>
    /// <param name="method">Table name of the method.</param>
    /// <param name="set">Test-set name, for the score's row.</param>
    /// <param name="sigma">Blur σ of the LR input.</param>
    /// <param name="image">Image name, for the score's row.</param>
    /// <param name="result">The method's output for this image's LR.</param>
    /// <param name="hr">The mod-cropped HR image [3,H,W].</param>
    /// <param name="grey">Whether the HR image was grey (scored on its own channel).</param>
    /// <param name="trueKernel">The kernel the LR was made with [k,k].</param>
    /// <param name="shave">Pixels cropped from each border before measuring (the scale).</param>
    public static ImageScore Score(string method, string set, double sigma, string image, SrResult result, Tensor hr, bool grey,
                                   Tensor trueKernel, int shave)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var scope = NewDisposeScope();
        var sr = result.Sr[0];
        // A broken network (NaN weights, an overflow) must not reach the tables as NaN: the image stops or is skipped here.
        foreach (var (what, t) in new[] { ("SR image", sr) }.Concat(result.Kernel is { } kk ? [("kernel", kk)] : [])
                     .Concat((result.StageSr ?? []).Select((t, i) => ($"stage-{i + 1} SR image", t)))
                     .Concat((result.StageKernels ?? []).Select((t, i) => ($"stage-{i + 1} kernel", t))))
            if (!t.isfinite().all().item<bool>())
                throw new InvalidDataException($"{method}: its {what} of {set}/{image} at σ {sigma.ToString(System.Globalization.CultureInfo.InvariantCulture)} " +
                                               "holds NaN or infinite values (are its weights broken?)");
        double psnr = Psnr.OnY(sr, hr, shave, grey);
        double ssim = Ssim.OnY(sr, hr, shave, grey);
        double? l1 = null, mse = null, spread = null;
        if (result.Kernel is { } k && k.shape[^1] == trueKernel.shape[^1])
        {
            var diff = k.to(float64) - trueKernel.to(k.device).to(float64);
            l1 = diff.abs().sum().item<double>();
            mse = diff.square().mean().item<double>();
            // A kernel decoded from a PCA code can have negative taps, and then no real spread: measured on its
            // non-negative part (renormalised), and missing when nothing is left.
            double s = KernelImage.Spread(k.clamp_min(0));
            spread = double.IsFinite(s) ? s : null;
        }
        var stages = result.StageSr?.Select(s => Psnr.OnY(s[0], hr, shave, grey)).ToList();
        var stageKernels = result.StageKernels is { Count: > 0 } ks && ks.All(k => k.shape[^1] == trueKernel.shape[^1])
            ? ks.Select(k => (k.to(float64) - trueKernel.to(k.device).to(float64)).abs().sum().item<double>()).ToList()
            : null;
        return new ImageScore(method, set, sigma, image, psnr, ssim, l1, mse, stages, spread, stageKernels);
    }

    private Tensor LoadOrMakeLr(string set, string name, Tensor hr, double sigma)
    {
        if (options.LrDir is null) return TestSetSynthesis.MakeLr(hr, sigma, options.Scale, options.KernelSize);
        string path = Path.Combine(TestSetSynthesis.Folder(options.LrDir, set, options.Scale, sigma), name + ".png");
        if (!File.Exists(path))
            throw new FileNotFoundException($"LR input {path} not found (expected the layout written by `kbsr synth`)", path);
        var lr = ImageFile.Read(path).ToTensor(_device).unsqueeze(0);
        long h = hr.shape[1] / options.Scale, w = hr.shape[2] / options.Scale;
        if (lr.shape[2] != h || lr.shape[3] != w)
            throw new InvalidDataException($"{path}: LR is {lr.shape[3]}×{lr.shape[2]}, expected {w}×{h} for ×{options.Scale}");
        return lr;
    }

    private static string Sanitize(string name) =>
        string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
}
