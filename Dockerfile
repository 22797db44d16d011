# Container image for pgconn-operator: build with Maven, run the shaded jar on a JRE as non-root.
#   docker build -t pgconn-operator:dev .
# Not built in this project's CI: its machines have no Docker engine (see README).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY operator/pom.xml operator/
RUN mvn -B -q -pl operator dependency:go-offline
COPY operator/ operator/
COPY crds/ crds/
RUN mvn -B -q -pl operator package -DskipTests && cp operator/target/pgconn-operator-*.jar /pgconn-operator.jar

FROM eclipse-temurin:17-jre
COPY --from=build /pgconn-operator.jar /app/pgconn-operator.jar
# A numeric user, so runAsNonRoot can verify it; the chart also mounts /tmp (read-only root fs).
USER 65532:65532
# Sized by the container's memory limit, and restarted rather than left limping on OOM.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -XX:+UseSerialGC"
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/pgconn-operator.jar"]
CMD ["run"]
