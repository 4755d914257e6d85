namespace Pipelines.Examples;

/// <summary>
/// The seed guide's portable pipeline: extract orders, then run dbt on them — no runtime-only
/// setting at all, so it runs the same on every runtime.
/// </summary>
public sealed class PortablePipeline : IPipeline
{
    public void Define(DagBuilder dag)
    {
        dag.Id("portable_pipeline")
           .Description("Extract orders and transform them with dbt, the same on every runtime.")
           .Schedule("@daily")
           .StartDate(2026, 11, 1);

        var extract = dag.Container("extract_data", "registry.localhost/etl/extractor:1.0.0")
            .Command("python", "-m", "extract", "--table", "orders")
            .Env("DB_HOST", "<< var.db_host >>")
            .Env("DB_PORT", "<< var.db_port >>")
            .Env("DB_NAME", "<< var.db_name >>")
            .Retries(3);

        var transform = dag.Container("transform_data", "registry.localhost/analytics/dbt-runner:1.0.0")
            .Command("dbt", "run", "--select", "orders")
            .Env("DBT_PROFILES_DIR", "/profiles");

        extract.Then(transform);
    }
}
