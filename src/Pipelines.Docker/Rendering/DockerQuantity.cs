using Pipelines.Rendering;
using Pipelines.Validation;

namespace Pipelines.Docker.Rendering;

/// <summary>Kubernetes quantities as the whole numbers Docker's API takes.</summary>
internal static class DockerQuantity
{
    /// <summary>Bytes, rounded up (as Kubernetes rounds fractional bytes); null and an error when not representable.</summary>
    public static long? Bytes(string text, string field, DiagnosticCollector diagnostics)
    {
        if (!Quantity.TryParse(text, out var value) || value < 0 || value > long.MaxValue)
        {
            diagnostics.Error(field, $"'{text}' is not a byte size Docker can take; use {Quantity.Expected}");
            return null;
        }

        return (long)decimal.Ceiling(value);
    }

    /// <summary>Cpu cores; null and an error when not a valid quantity.</summary>
    public static decimal? Cores(string text, string field, DiagnosticCollector diagnostics)
    {
        if (!Quantity.TryParse(text, out var value) || value < 0 || value > 1_000_000)
        {
            diagnostics.Error(field, $"'{text}' is not a cpu amount Docker can take; use {Quantity.Expected}");
            return null;
        }

        return value;
    }
}
