using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace BuildsRs.Data.Migrations
{
    /// <inheritdoc />
    public partial class ArtifactTrust : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_jobs_kind",
                table: "jobs");

            migrationBuilder.AddColumn<long>(
                name: "artifact_id",
                table: "jobs",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "builder_image",
                table: "jobs",
                type: "character varying(100)",
                maxLength: 100,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "lockfile_sha256",
                table: "jobs",
                type: "character(64)",
                fixedLength: true,
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "toolchain",
                table: "jobs",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "binaries",
                table: "artifacts",
                type: "jsonb",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "signature",
                table: "artifacts",
                type: "character varying(2000)",
                maxLength: 2000,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "artifact_verifications",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    artifact_id = table.Column<long>(type: "bigint", nullable: false),
                    job_id = table.Column<long>(type: "bigint", nullable: false),
                    builder_id = table.Column<long>(type: "bigint", nullable: false),
                    reproduced = table.Column<bool>(type: "boolean", nullable: false),
                    archive_sha256 = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: true),
                    differences = table.Column<string[]>(type: "text[]", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false, defaultValueSql: "now()")
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_artifact_verifications", x => x.id);
                    table.ForeignKey(
                        name: "fk_artifact_verifications_artifacts_artifact_id",
                        column: x => x.artifact_id,
                        principalTable: "artifacts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_artifact_verifications_builders_builder_id",
                        column: x => x.builder_id,
                        principalTable: "builders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_artifact_verifications_jobs_job_id",
                        column: x => x.job_id,
                        principalTable: "jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "lockfiles",
                columns: table => new
                {
                    sha256 = table.Column<string>(type: "character(64)", fixedLength: true, maxLength: 64, nullable: false),
                    content = table.Column<string>(type: "text", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_lockfiles", x => x.sha256);
                    table.CheckConstraint("ck_lockfiles_sha256_hex", "sha256 ~ '^[0-9a-f]{64}$'");
                });

            migrationBuilder.CreateIndex(
                name: "ix_jobs_artifact_id",
                table: "jobs",
                column: "artifact_id");

            migrationBuilder.CreateIndex(
                name: "ix_jobs_lockfile_sha256",
                table: "jobs",
                column: "lockfile_sha256");

            migrationBuilder.AddCheckConstraint(
                name: "ck_jobs_kind",
                table: "jobs",
                sql: "kind IN ('metadata', 'binary', 'verify')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_jobs_verify_has_artifact",
                table: "jobs",
                sql: "(kind = 'verify') = (artifact_id IS NOT NULL)");

            migrationBuilder.CreateIndex(
                name: "ix_artifact_verifications_artifact_id",
                table: "artifact_verifications",
                column: "artifact_id");

            migrationBuilder.CreateIndex(
                name: "ix_artifact_verifications_builder_id",
                table: "artifact_verifications",
                column: "builder_id");

            migrationBuilder.CreateIndex(
                name: "ix_artifact_verifications_job_id",
                table: "artifact_verifications",
                column: "job_id",
                unique: true);

            migrationBuilder.AddForeignKey(
                name: "fk_jobs_artifacts_artifact_id",
                table: "jobs",
                column: "artifact_id",
                principalTable: "artifacts",
                principalColumn: "id",
                onDelete: ReferentialAction.Cascade);

            migrationBuilder.AddForeignKey(
                name: "fk_jobs_lockfiles_lockfile_sha256",
                table: "jobs",
                column: "lockfile_sha256",
                principalTable: "lockfiles",
                principalColumn: "sha256",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_jobs_artifacts_artifact_id",
                table: "jobs");

            migrationBuilder.DropForeignKey(
                name: "fk_jobs_lockfiles_lockfile_sha256",
                table: "jobs");

            migrationBuilder.DropTable(
                name: "artifact_verifications");

            migrationBuilder.DropTable(
                name: "lockfiles");

            migrationBuilder.DropIndex(
                name: "ix_jobs_artifact_id",
                table: "jobs");

            migrationBuilder.DropIndex(
                name: "ix_jobs_lockfile_sha256",
                table: "jobs");

            migrationBuilder.DropCheckConstraint(
                name: "ck_jobs_kind",
                table: "jobs");

            migrationBuilder.DropCheckConstraint(
                name: "ck_jobs_verify_has_artifact",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "artifact_id",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "builder_image",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "lockfile_sha256",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "toolchain",
                table: "jobs");

            migrationBuilder.DropColumn(
                name: "binaries",
                table: "artifacts");

            migrationBuilder.DropColumn(
                name: "signature",
                table: "artifacts");

            migrationBuilder.AddCheckConstraint(
                name: "ck_jobs_kind",
                table: "jobs",
                sql: "kind IN ('metadata', 'binary')");
        }
    }
}
