using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace BuildsRs.Data.Migrations
{
    /// <inheritdoc />
    public partial class InitialSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:PostgresExtension:pg_trgm", ",,");

            migrationBuilder.CreateTable(
                name: "builders",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    public_key = table.Column<byte[]>(type: "bytea", nullable: false),
                    fingerprint = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    allowed_targets = table.Column<string[]>(type: "text[]", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    last_seen_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_builders", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "crates",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    normalized_name = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false, computedColumnSql: "replace(lower(name), '-', '_')", stored: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_crates", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "registry_sync_state",
                columns: table => new
                {
                    registry = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    cursor = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    last_synced_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_registry_sync_state", x => x.registry);
                });

            migrationBuilder.CreateTable(
                name: "targets",
                columns: table => new
                {
                    triple = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_targets", x => x.triple);
                });

            migrationBuilder.CreateTable(
                name: "versions",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    crate_id = table.Column<long>(type: "bigint", nullable: false),
                    version = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    checksum = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    yanked = table.Column<bool>(type: "boolean", nullable: false),
                    rust_version = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    published_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    links = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: true),
                    features = table.Column<string>(type: "jsonb", nullable: false),
                    dependency_count = table.Column<int>(type: "integer", nullable: false),
                    binary_targets = table.Column<string[]>(type: "text[]", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_versions", x => x.id);
                    table.CheckConstraint("ck_versions_checksum_hex", "checksum ~ '^[0-9a-f]{64}$'");
                    table.ForeignKey(
                        name: "fk_versions_crates_crate_id",
                        column: x => x.crate_id,
                        principalTable: "crates",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "jobs",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    version_id = table.Column<long>(type: "bigint", nullable: false),
                    kind = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    target = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    state = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    priority = table.Column<int>(type: "integer", nullable: false),
                    attempt = table.Column<int>(type: "integer", nullable: false),
                    claims = table.Column<int>(type: "integer", nullable: false),
                    lease_expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    builder_id = table.Column<long>(type: "bigint", nullable: true),
                    upload_token_hash = table.Column<byte[]>(type: "bytea", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()"),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    outcome = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: true),
                    exit_code = table.Column<int>(type: "integer", nullable: true),
                    error = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_jobs", x => x.id);
                    table.CheckConstraint("ck_jobs_running_has_lease", "state <> 'running' OR (lease_expires_at IS NOT NULL AND builder_id IS NOT NULL)");
                    table.CheckConstraint("ck_jobs_target_matches_kind", "(kind = 'metadata') = (target IS NULL)");
                    table.ForeignKey(
                        name: "fk_jobs_builders_builder_id",
                        column: x => x.builder_id,
                        principalTable: "builders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_jobs_targets_target",
                        column: x => x.target,
                        principalTable: "targets",
                        principalColumn: "triple",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_jobs_versions_version_id",
                        column: x => x.version_id,
                        principalTable: "versions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "artifacts",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    job_id = table.Column<long>(type: "bigint", nullable: false),
                    file_name = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    storage_key = table.Column<string>(type: "character varying(1024)", maxLength: 1024, nullable: false),
                    size = table.Column<long>(type: "bigint", nullable: false),
                    sha256 = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_artifacts", x => x.id);
                    table.CheckConstraint("ck_artifacts_sha256_hex", "sha256 ~ '^[0-9a-f]{64}$'");
                    table.CheckConstraint("ck_artifacts_size", "size >= 0");
                    table.ForeignKey(
                        name: "fk_artifacts_jobs_job_id",
                        column: x => x.job_id,
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "job_logs",
                columns: table => new
                {
                    job_id = table.Column<long>(type: "bigint", nullable: false),
                    sequence = table.Column<int>(type: "integer", nullable: false),
                    stage = table.Column<string>(type: "character varying(30)", maxLength: 30, nullable: false),
                    text = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_job_logs", x => new { x.job_id, x.sequence });
                    table.ForeignKey(
                        name: "fk_job_logs_jobs_job_id",
                        column: x => x.job_id,
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "daily_downloads",
                columns: table => new
                {
                    artifact_id = table.Column<long>(type: "bigint", nullable: false),
                    day = table.Column<DateOnly>(type: "date", nullable: false),
                    count = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_daily_downloads", x => new { x.artifact_id, x.day });
                    table.ForeignKey(
                        name: "fk_daily_downloads_artifacts_artifact_id",
                        column: x => x.artifact_id,
                        principalTable: "artifacts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.InsertData(
                table: "targets",
                columns: new[] { "triple", "enabled" },
                values: new object[] { "x86_64-unknown-linux-gnu", true });

            migrationBuilder.CreateIndex(
                name: "ix_artifacts_job_id_file_name",
                table: "artifacts",
                columns: new[] { "job_id", "file_name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_artifacts_storage_key",
                table: "artifacts",
                column: "storage_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_builders_fingerprint",
                table: "builders",
                column: "fingerprint",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_builders_public_key",
                table: "builders",
                column: "public_key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_crates_normalized_name",
                table: "crates",
                column: "normalized_name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_crates_normalized_name_prefix",
                table: "crates",
                column: "normalized_name")
                .Annotation("Npgsql:IndexOperators", new[] { "text_pattern_ops" });

            migrationBuilder.CreateIndex(
                name: "ix_crates_normalized_name_trgm",
                table: "crates",
                column: "normalized_name")
                .Annotation("Npgsql:IndexMethod", "gin")
                .Annotation("Npgsql:IndexOperators", new[] { "gin_trgm_ops" });

            migrationBuilder.CreateIndex(
                name: "ix_daily_downloads_day",
                table: "daily_downloads",
                column: "day");

            migrationBuilder.CreateIndex(
                name: "ix_jobs_builder_id",
                table: "jobs",
                column: "builder_id");

            migrationBuilder.CreateIndex(
                name: "ix_jobs_claim",
                table: "jobs",
                columns: new[] { "target", "priority", "created_at" },
                descending: new[] { false, true, false },
                filter: "state = 'queued'");

            migrationBuilder.CreateIndex(
                name: "ix_jobs_finished_at",
                table: "jobs",
                column: "finished_at");

            migrationBuilder.CreateIndex(
                name: "ix_jobs_lease",
                table: "jobs",
                column: "lease_expires_at",
                filter: "state = 'running'");

            migrationBuilder.CreateIndex(
                name: "ix_jobs_one_live_per_work",
                table: "jobs",
                columns: new[] { "version_id", "kind", "target" },
                unique: true,
                filter: "state IN ('queued', 'running')")
                .Annotation("Npgsql:NullsDistinct", false);

            migrationBuilder.CreateIndex(
                name: "ix_jobs_version_id_kind_target_attempt",
                table: "jobs",
                columns: new[] { "version_id", "kind", "target", "attempt" },
                unique: true)
                .Annotation("Npgsql:NullsDistinct", false);

            migrationBuilder.CreateIndex(
                name: "ix_versions_crate_id_version",
                table: "versions",
                columns: new[] { "crate_id", "version" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_versions_published_at",
                table: "versions",
                column: "published_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "daily_downloads");

            migrationBuilder.DropTable(
                name: "job_logs");

            migrationBuilder.DropTable(
                name: "registry_sync_state");

            migrationBuilder.DropTable(
                name: "artifacts");

            migrationBuilder.DropTable(
                name: "jobs");

            migrationBuilder.DropTable(
                name: "builders");

            migrationBuilder.DropTable(
                name: "targets");

            migrationBuilder.DropTable(
                name: "versions");

            migrationBuilder.DropTable(
                name: "crates");
        }
    }
}
