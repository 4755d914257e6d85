namespace Pipelines.Examples;

/// <summary>
/// A runnable example with no container engine: plain POSIX shell and awk, the same on the process
/// runtime and in a busybox image. It generates a deterministic orders CSV for the logical date,
/// validates it, aggregates it two ways in parallel, and writes a report that reads the validated
/// row count from an upstream output.
/// </summary>
public sealed class OrdersDaily : IPipeline
{
    // Built locally FROM scratch with Debian's static busybox ('images build orders_daily'); the process runtime does not use it.
    private const string Busybox = "registry.localhost/pipelines/busybox:stable";

    public void Define(DagBuilder dag)
    {
        dag.Id("orders_daily")
           .Description("Generate, validate and aggregate a day of orders, then report.")
           .Schedule("@daily")
           .StartDate(2026, 11, 1)
           .TaskDefaults(t => t
               .Mount(Volume.Named("orders-data"), "/data")
               .Env("DAY_DIR", "/data/<< ds_nodash >>")
               .Retries(1, delay: TimeSpan.FromSeconds(5))
               .Timeout(TimeSpan.FromMinutes(5)));

        var generate = dag.Container("generate_orders", Busybox).Command("sh", "-c", """
            set -eu
            mkdir -p "$DAY_DIR"
            awk -v ds='<< ds >>' -v seed='<< ds_nodash >>' 'BEGIN {
              d = seed % 97; n = 200 + d % 50
              split("north south east west", region, " ")
              print "order_id,date,region,customer,amount"
              for (i = 1; i <= n; i++)
                printf "%d,%s,%s,C%03d,%d\n", i, ds, region[(i * 7 + d) % 4 + 1], (i * 13) % 50, (i * 37 + d * 11) % 500 + 1
            }' > "$DAY_DIR/orders.csv"
            rows=$(($(wc -l < "$DAY_DIR/orders.csv") - 1))
            printf '{"rows": %d}' "$rows" > "$PIPELINES_OUTPUT"
            echo "generated $rows orders for << ds >>"
            """);

        var validate = dag.Container("validate_orders", Busybox).Command("sh", "-c", """
            set -eu
            head -n 1 "$DAY_DIR/orders.csv" | grep -qx 'order_id,date,region,customer,amount'
            awk -F, 'NR > 1 {
              if (NF != 5 || $5 <= 0 || $2 != "<< ds >>") { print "bad row " NR ": " $0; bad = 1 }
              rows++; total += $5
            }
            END {
              if (bad || rows == 0) exit 1
              printf "{\"rows\": %d, \"total\": %d}", rows, total > ENVIRON["PIPELINES_OUTPUT"]
              print rows " rows valid, total " total
            }' "$DAY_DIR/orders.csv"
            """);

        var byRegion = dag.Container("aggregate_by_region", Busybox).Command("sh", "-c", """
            set -eu
            awk -F, 'NR > 1 { sum[$3] += $5 } END { for (r in sum) print r "," sum[r] }' "$DAY_DIR/orders.csv" | sort > "$DAY_DIR/by_region.csv"
            printf '{"regions": %d}' "$(wc -l < "$DAY_DIR/by_region.csv")" > "$PIPELINES_OUTPUT"
            cat "$DAY_DIR/by_region.csv"
            """);

        var byCustomer = dag.Container("aggregate_by_customer", Busybox).Command("sh", "-c", """
            set -eu
            awk -F, 'NR > 1 { sum[$4] += $5 } END { for (c in sum) print c "," sum[c] }' "$DAY_DIR/orders.csv" | sort -t, -k2,2nr -k1,1 | head -n 5 > "$DAY_DIR/top_customers.csv"
            cat "$DAY_DIR/top_customers.csv"
            """);

        var report = dag.Container("report", Busybox).Command("sh", "-c", """
            set -eu
            {
              echo "Orders report for << ds >>"
              echo "rows: << tasks.validate_orders.output.rows >>"
              echo "total: << tasks.validate_orders.output.total >>"
              echo "by region:"
              sed 's/^/  /; s/,/: /' "$DAY_DIR/by_region.csv"
              echo "top customers:"
              sed 's/^/  /; s/,/: /' "$DAY_DIR/top_customers.csv"
            } > "$DAY_DIR/report.txt"
            cat "$DAY_DIR/report.txt"
            """);

        generate.Then(validate).Then(byRegion, byCustomer).Then(report);
    }
}
