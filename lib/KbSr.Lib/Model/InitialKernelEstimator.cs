using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KbSr.Model;

/// <summary>
/// The initial kernel estimate K0 of Fig. 1 (docs/method.md §2–§3): IKC's Predictor geometry — six 5×5 convs (pad 2)
/// with LeakyReLU, 3→w, w→w, w→w, w→w stride 2, w→w, w→k² — then global average pooling and a softmax over the
/// k² values, so K0 is a full, non-negative kernel summing to 1 (not IKC's PCA code).
/// LR [B, 3, h, w] → K0 [B, k, k].
/// </summary>
public sealed class InitialKernelEstimator : nn.Module<Tensor, Tensor>
{
    private readonly Sequential features;
    private readonly int _kernelSize;

    public InitialKernelEstimator(int imageChannels, int width, int kernelSize, double slope = 0.2, bool lastActivation = true)
        : base(nameof(InitialKernelEstimator))
    {
        _kernelSize = kernelSize;
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int[] inputs = [imageChannels, width, width, width, width, width];
        for (int i = 0; i < 6; i++)
        {
            int output = i == 5 ? kernelSize * kernelSize : width;
            layers.Add(($"conv{i + 1}", nn.Conv2d(inputs[i], output, kernel_size: 5, stride: i == 3 ? 2 : 1, padding: 2)));
            if (i < 5 || lastActivation) layers.Add(($"act{i + 1}", nn.LeakyReLU(negative_slope: slope)));
        }
        features = nn.Sequential(layers);
        RegisterComponents();
    }

    public override Tensor forward(Tensor lr)
    {
        var logits = features.call(lr).mean([2, 3]);                     // GAP: [B, k²]
        return softmax(logits, dim: 1).view(-1, _kernelSize, _kernelSize);
    }
}
