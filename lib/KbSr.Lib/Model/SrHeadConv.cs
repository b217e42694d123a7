using KbSr.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KbSr.Model;

/// <summary>
/// Convolutions to a few output channels (the SR heads: each stage's conv3 to RGB, Fig. 1 step 3, and the final
/// reconstruction conv; the baselines' 5×5 and 9×9 output convs): k×k, "same" padding, stride 1. libtorch runs a
/// conv with 3 output channels far below its usual rate — without oneDNN (see <see cref="OneDnnCheck"/>) a 9×9 one at
/// HR size took seconds per training step. The same sums as one matrix product to k²·o channels (one output per tap)
/// followed by the sum of the k² taps' shifted maps run 2–4× faster forward. Autograd through that form would be
/// slow (k² full-size slice gradients), so training uses a hand-written backward made of the same two matrix products
/// transposed. The module's weights are the parameters either way (state-dict unchanged).
/// </summary>
public static class SrHeadConv
{
    /// <summary><paramref name="head"/>(x), in the tap form when <see cref="FastForms"/> is on (see the type's summary).</summary>
    public static Tensor Apply(Conv2d head, Tensor x)
    {
        ArgumentNullException.ThrowIfNull(head);
        var weight = head.weight!;
        long k = weight.shape[2];
        bool same = k % 2 == 1 && weight.shape[3] == k && head.bias is not null && IsSamePadding(head, k);
        if (!FastForms.Enabled || weight.shape[0] > 4 || !same || TapBytes(x, weight) > MaxTapBytes) return head.call(x);
        bool autograd = is_grad_enabled() && (x.requires_grad || weight.requires_grad || head.bias!.requires_grad);
        return autograd ? TapForm.apply(x, weight, head.bias!) : Taps(x, weight, head.bias);
    }

    /// <summary>Largest stack of tap maps (k²·o channels at the input's size) the tap form makes; above it the conv runs as is.</summary>
    public const long MaxTapBytes = 512L << 20;

    private static long TapBytes(Tensor x, Tensor weight) =>
        x.shape[0] * weight.shape[0] * weight.shape[2] * weight.shape[3] * (x.shape[2] + weight.shape[2]) * (x.shape[3] + weight.shape[3]) * sizeof(float);

    private static bool IsSamePadding(Conv2d conv, long k)
    {
        var stride = conv.stride ?? [1, 1];
        var padding = conv.padding ?? [0, 0];
        return stride.All(v => v == 1) && padding.Length == 2 && padding.All(v => v == k / 2);
    }

    /// <summary>The tap form with its hand-written backward (what <see cref="Apply"/> runs under autograd).</summary>
    public static Tensor TapsWithGradient(Tensor x, Tensor weight, Tensor bias) => TapForm.apply(x, weight, bias);

    /// <summary>conv2d(x, weight, bias, padding k/2) for an odd k×k weight [o, c, k, k], as one matrix product to k²·o
    /// channels and a sum of k² shifted slices (zero padding = the slices of the zero-padded tap maps).</summary>
    public static Tensor Taps(Tensor x, Tensor weight, Tensor? bias)
    {
        using var scope = NewDisposeScope();
        int o = checked((int)weight.shape[0]), k = checked((int)weight.shape[2]), p = k / 2;
        long b = x.shape[0], c = x.shape[1];
        int h = checked((int)x.shape[2]), w = checked((int)x.shape[3]);
        var perTap = weight.permute(2, 3, 0, 1).reshape(k * k * o, c);                          // [(ty, tx, o), c]
        var maps = matmul(perTap, x.reshape(b, c, h * w)).view(b, k * k * o, h, w);
        var taps = nn.functional.pad(maps, [p, p, p, p]);                                      // [B, k²·o, h + 2p, w + 2p]
        Tensor? sum = null;
        for (int ty = 0; ty < k; ty++)
            for (int tx = 0; tx < k; tx++)
            {
                int t = k * ty + tx;
                var shifted = taps[.., (t * o)..((t + 1) * o), ty..(ty + h), tx..(tx + w)];
                sum = sum is null ? shifted.clone() : sum.add_(shifted);
            }
        if (bias is not null) sum!.add_(bias.view(1, -1, 1, 1));
        return sum!.MoveToOuterDisposeScope();
    }

    /// <summary>Tap form of a k×k, padding-k/2 conv with its backward: y = Σ_t shift_t(W_t·x) + b, so
    /// ∂x = Σ_t W_tᵀ·unshift_t(g) and ∂W_t = Σ_pixels unshift_t(g)·xᵀ — both one matrix product over the k²·o stacked taps.</summary>
    private sealed class TapForm : autograd.SingleTensorFunction<TapForm>
    {
        public override string Name => nameof(TapForm);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            Tensor x = (Tensor)vars[0], weight = (Tensor)vars[1], bias = (Tensor)vars[2];
            ctx.save_for_backward([x, weight]);
            using var _ = no_grad();
            return Taps(x, weight, bias);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
        {
            var saved = ctx.get_saved_variables();
            Tensor x = saved[0], weight = saved[1];
            long b = x.shape[0], c = x.shape[1];
            int o = checked((int)weight.shape[0]), k = checked((int)weight.shape[2]), p = k / 2;
            int h = checked((int)x.shape[2]), w = checked((int)x.shape[3]);
            // Tap t = (ty, tx) read its map at (i + ty − p, j + tx − p): its gradient is g shifted back by that offset.
            var padded = nn.functional.pad(grad_output, [p, p, p, p]);
            var perTapGrad = new List<Tensor>(k * k);
            for (int ty = 0; ty < k; ty++)
                for (int tx = 0; tx < k; tx++)
                    perTapGrad.Add(padded[.., .., (2 * p - ty)..(2 * p - ty + h), (2 * p - tx)..(2 * p - tx + w)]);
            var stacked = cat(perTapGrad, dim: 1).view(b, k * k * o, h * w);                     // (ty, tx, o)
            var perTap = weight.permute(2, 3, 0, 1).reshape(k * k * o, c);                      // as in the forward
            var gradX = matmul(perTap.t(), stacked).view(b, c, h, w);
            var gradPerTap = matmul(stacked, x.reshape(b, c, h * w).transpose(1, 2)).sum(dim: 0);   // [k²·o, c]
            var gradWeight = gradPerTap.view(k, k, o, c).permute(2, 3, 0, 1).contiguous();     // [o, c, k, k]
            var gradBias = grad_output.sum([0, 2, 3]);
            return [gradX, gradWeight, gradBias];
        }
    }
}
