using Pipelines.Templating;

namespace Pipelines.Core.Tests.Templating;

public class TemplateEngineTests
{
    [Fact]
    public void Sessions_render_concurrently_with_shared_parsed_expressions()
    {
        var renderer = new TemplateEngine();
        var texts = new[] { "<< ds_add(ds, try_number) >>", "<< params.table | string.upcase >>-<< task_id >>", "<< var.v ?? \"d\" >>" };
        var failures = 0;

        Parallel.For(0, 200, i =>
        {
            var scope = TestScopes.Default() with { TaskId = $"t{i}", TryNumber = i % 5 };
            var session = renderer.Begin(scope);
            for (var round = 0; round < 20; round++)
            {
                var ok = session.Resolve(texts[0], "a") == DateOnly.Parse("2026-11-25", System.Globalization.CultureInfo.InvariantCulture).AddDays(i % 5).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)
                    && session.Resolve(texts[1], "b") == $"CUSTOMERS-t{i}"
                    && session.Resolve(texts[2], "c") == "d";
                if (!ok)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        });

        Assert.Equal(0, failures);
    }

    [Fact]
    public void Begin_requires_a_scope() => Assert.Throws<ArgumentNullException>(() => TemplateEngine.Shared.Begin(null!));

    [Fact]
    public void A_session_exposes_its_scope()
    {
        var scope = TestScopes.Default();

        Assert.Same(scope, TemplateEngine.Shared.Begin(scope).Scope);
    }
}
